#include "ccurl_shim.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void run_global_init(void) {
    global_result = curl_global_init(CURL_GLOBAL_ALL);
}

CURLcode ccurl_global_init_once(void) {
    pthread_once(&global_once, run_global_init);
    return global_result;
}

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_share(CURL *handle, CURLSH *share) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, share);
}

CURLcode ccurl_easy_setopt_blob(CURL *handle, CURLoption option, const void *bytes, size_t count) {
    struct curl_blob blob;
    blob.data = (void *)bytes;
    blob.len = count;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(handle, option, &blob);
}

CURLcode ccurl_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode ccurl_easy_setopt_read_callback(CURL *handle, CURLoption option, curl_read_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode ccurl_easy_setopt_seek_callback(CURL *handle, CURLoption option, curl_seek_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLcode ccurl_message_result(const CURLMsg *message) {
    return message->data.result;
}

struct ccurl_locked_share {
    CURLSH *handle;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *user) {
    (void)handle;
    (void)access;
    ccurl_locked_share *share = user;
    if (data < 0 || data >= CURL_LOCK_DATA_LAST) {
        return;
    }
    pthread_mutex_lock(&share->locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *user) {
    (void)handle;
    ccurl_locked_share *share = user;
    if (data < 0 || data >= CURL_LOCK_DATA_LAST) {
        return;
    }
    pthread_mutex_unlock(&share->locks[data]);
}

ccurl_locked_share *ccurl_locked_share_create(void) {
    ccurl_locked_share *share = calloc(1, sizeof(*share));
    if (share == NULL) {
        return NULL;
    }
    int created = 0;
    for (; created < CURL_LOCK_DATA_LAST; created++) {
        if (pthread_mutex_init(&share->locks[created], NULL) != 0) {
            break;
        }
    }
    if (created < CURL_LOCK_DATA_LAST) {
        for (int i = 0; i < created; i++) {
            pthread_mutex_destroy(&share->locks[i]);
        }
        free(share);
        return NULL;
    }
    share->handle = curl_share_init();
    if (share->handle == NULL
        || curl_share_setopt(share->handle, CURLSHOPT_USERDATA, share) != CURLSHE_OK
        || curl_share_setopt(share->handle, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK
        || curl_share_setopt(share->handle, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK) {
        ccurl_locked_share_destroy(share);
        return NULL;
    }
    return share;
}

CURLSHcode ccurl_locked_share_add(ccurl_locked_share *share, curl_lock_data data) {
    return curl_share_setopt(share->handle, CURLSHOPT_SHARE, data);
}

CURLSH *ccurl_locked_share_handle(ccurl_locked_share *share) {
    return share->handle;
}

void ccurl_locked_share_destroy(ccurl_locked_share *share) {
    if (share == NULL) {
        return;
    }
    if (share->handle != NULL) {
        curl_share_cleanup(share->handle);
    }
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) {
        pthread_mutex_destroy(&share->locks[i]);
    }
    free(share);
}
