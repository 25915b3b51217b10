import DatumJSON

/// Decodes `application/apply-patch+yaml` bodies into an object.
///
/// Seam: kubectl sends JSON (which is YAML too), and that is what this decoder reads today.
/// When DatumYAML's parser lands on `main`, YAML documents go through it here and nowhere else.
enum ApplyBodyDecoder {
    struct Decoded {
        var object: JSONObject
        var duplicates: [String]
    }

    static func decode(_ body: [UInt8]) throws(APIError) -> Decoded {
        let parsed: (value: JSONValue, duplicateKeys: [String])
        do {
            parsed = try JSONParser.parseReportingDuplicates(body)
        } catch {
            throw APIError.badRequest(
                "error decoding YAML: error converting YAML to JSON: yaml: line \(error.line): \(error.message)")
        }
        guard case .object(let object) = parsed.value else {
            throw APIError.badRequest("error decoding YAML: the apply configuration must be an object")
        }
        return Decoded(object: object, duplicates: parsed.duplicateKeys)
    }
}
