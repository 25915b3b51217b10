#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

/*
 * Typed wrappers for libcurl's variadic entry points, which Swift cannot call.
 * Each wrapper forwards exactly one argument of a fixed type.
 */

/* Runs curl_global_init(CURL_GLOBAL_ALL) once per process, whatever thread asks first. */
CURLcode ccurl_global_init_once(void);

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_share(CURL *handle, CURLSH *share);
/* Copies the bytes (CURL_BLOB_COPY), so the caller's buffer need not outlive the call. */
CURLcode ccurl_easy_setopt_blob(CURL *handle, CURLoption option, const void *bytes, size_t count);
/* For CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION. */
CURLcode ccurl_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback);
CURLcode ccurl_easy_setopt_read_callback(CURL *handle, CURLoption option, curl_read_callback callback);
CURLcode ccurl_easy_setopt_seek_callback(CURL *handle, CURLoption option, curl_seek_callback callback);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/* CURLMsg keeps its result in an anonymous union; this reads it without Swift's union import. */
CURLcode ccurl_message_result(const CURLMsg *message);

/*
 * A share handle whose lock callbacks use one pthread mutex per kind of shared data,
 * so easy handles on any thread may use it (or be cleaned up) safely.
 */
typedef struct ccurl_locked_share ccurl_locked_share;

/* Returns NULL when libcurl or the mutexes cannot be set up. */
ccurl_locked_share *ccurl_locked_share_create(void);
/* Adds one kind of data (CURL_LOCK_DATA_SSL_SESSION, CURL_LOCK_DATA_DNS...) to the share. */
CURLSHcode ccurl_locked_share_add(ccurl_locked_share *share, curl_lock_data data);
CURLSH *ccurl_locked_share_handle(ccurl_locked_share *share);
/* Only valid once no easy handle uses the share any more. */
void ccurl_locked_share_destroy(ccurl_locked_share *share);

#endif
