import DatumJSON
import Testing

@testable import DatumSandbox

/// `metav1.Time` fields of built-in kinds are decoded as Go's `time.Parse(time.RFC3339, ...)`
/// decodes them: what it refuses fails the request with the decoder's words (the texts after
/// the colon are Go's, recorded in `Tests/GoCompatTests/Fixtures/go-time-parse.json`).
@Suite struct TimeDecodingTests {
    @Test(arguments: [
        ("2026-02-31T00:00:00Z", #"parsing time "2026-02-31T00:00:00Z": day out of range"#),
        ("2026-02-29T00:00:00Z", #"parsing time "2026-02-29T00:00:00Z": day out of range"#),
        ("2016-12-31T23:59:60Z", #"parsing time "2016-12-31T23:59:60Z": second out of range"#),
        (
            "+202-01-01T00:00:00Z",
            #"parsing time "+202-01-01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "+202-01-01T00:00:00Z" as "2006""#
        ),
        (
            "2026-01-01t00:00:00Z",
            #"parsing time "2026-01-01t00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "t00:00:00Z" as "T""#
        ),
    ])
    func refusedTimestampsFailTheRequest(_ timestamp: String, _ goError: String) throws {
        let t = try TestAPI()
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","creationTimestamp":"\#(timestamp)"}}"#
        for (method, path) in [("POST", "/api/v1/namespaces/default/configmaps"), ("PUT", "/api/v1/namespaces/default/configmaps/cm")] {
            let r = t.send(method, path, body: body)
            #expect(r.status == 400, "\(method): \(r.text)")
            #expect(r.json["reason"] == "BadRequest")
            #expect(r.json["message"] == .string(#"ConfigMap in version "v1" cannot be handled as a ConfigMap: "# + goError))
        }
        #expect(t.send("GET", "/api/v1/namespaces/default/configmaps/cm").status == 404)
    }

    @Test func eventTimestampsAreDecodedToo() throws {
        let t = try TestAPI()
        let body = """
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"e"},"involvedObject":{"kind":"ConfigMap","name":"cm"},\
            "reason":"R","message":"m","lastTimestamp":"2026-04-31T10:00:00Z"}
            """
        let r = t.send("POST", "/api/v1/namespaces/default/events", body: body)
        #expect(r.status == 400)
        #expect(
            r.json["message"]
                == #"Event in version "v1" cannot be handled as a Event: parsing time "2026-04-31T10:00:00Z": day out of range"#)
    }

    /// What Go accepts is accepted (the server then sets `creationTimestamp` itself).
    @Test(arguments: ["2024-02-29T00:00:00Z", "2026-01-01T1:00:00Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00,5Z"])
    func acceptedTimestampsPass(_ timestamp: String) throws {
        let t = try TestAPI()
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","creationTimestamp":"\#(timestamp)"}}"#
        #expect(t.send("POST", "/api/v1/namespaces/default/configmaps", body: body).status == 201)
    }
}
