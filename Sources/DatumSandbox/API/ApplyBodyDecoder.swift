import DatumJSON
import DatumYAML

/// Decodes `application/apply-patch+yaml` bodies into an object.
///
/// kubectl sends JSON (which is YAML too): JSON goes through the JSON parser, which also reports
/// duplicate keys for `fieldValidation`; anything else is read as one YAML document by DatumYAML.
enum ApplyBodyDecoder {
    struct Decoded {
        var object: JSONObject
        var duplicates: [String]
    }

    static func decode(_ body: [UInt8]) throws(APIError) -> Decoded {
        let firstByte = body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        let value: JSONValue
        var duplicates: [String] = []
        if firstByte == UInt8(ascii: "{") {
            do {
                let parsed = try JSONParser.parseReportingDuplicates(body)
                value = parsed.value
                duplicates = parsed.duplicateKeys
            } catch {
                throw APIError.badRequest(
                    "error decoding YAML: error converting YAML to JSON: yaml: line \(error.line): \(error.message)")
            }
        } else {
            do {
                let reader = YAMLDocumentReader(YAMLSource(name: "body", bytes: body))
                value = try reader.next()?.jsonValue() ?? .null
            } catch {
                throw APIError.badRequest("error decoding YAML: \(error)")
            }
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("error decoding YAML: the apply configuration must be an object")
        }
        return Decoded(object: object, duplicates: duplicates)
    }
}
