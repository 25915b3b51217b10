import DatumJSON
import GoCompat

/// Describers for the kinds kubectl describes with a dedicated layout rather than the generic one.
enum ReadDescribers {
    /// The description of `object`: kubectl's ConfigMap layout for ConfigMaps, the generic
    /// describer for everything else (BackendTLSPolicy included, as in kubectl).
    static func describe(_ object: JSONValue, events: JSONValue?, now: Double) -> String {
        if object["kind"]?.stringValue == "ConfigMap", object["apiVersion"]?.stringValue == "v1" {
            return configMap(object, events: events, now: now)
        }
        return GenericDescriber.describe(object, events: events, now: now)
    }

    /// kubectl's `describeConfigMap`: the data values verbatim under `----` rules, binary data by
    /// size. kubectl walks a Go map, so keys come in any order; datumctl sorts them.
    static func configMap(_ object: JSONValue, events: JSONValue?, now: Double) -> String {
        var w = GenericDescriber.PrefixWriter()
        let metadata = object["metadata"]
        w.write(0, "Name:\t\(metadata?["name"]?.stringValue ?? "")\n")
        w.write(0, "Namespace:\t\(metadata?["namespace"]?.stringValue ?? "")\n")
        GenericDescriber.printLabels(&w, title: "Labels", labels: GenericDescriber.stringMap(metadata?["labels"]))
        GenericDescriber.printAnnotations(
            &w, title: "Annotations", annotations: GenericDescriber.stringMap(metadata?["annotations"]))
        w.write(0, "\nData\n====\n")
        let data = object["data"]?.objectValue ?? JSONObject()
        for key in data.sortedKeys {
            w.write(0, "\(key):\n----\n")
            w.write(0, "\(data[key]?.stringValue ?? "")\n")
            w.write(0, "\n")
        }
        w.write(0, "\nBinaryData\n====\n")
        let binary = object["binaryData"]?.objectValue ?? JSONObject()
        for key in binary.sortedKeys {
            w.write(0, "\(key): \(decodedLength(binary[key]?.stringValue ?? "")) bytes\n")
        }
        w.write(0, "\n")
        if let events {
            GenericDescriber.describeEvents(&w, events: events["items"]?.arrayValue ?? [], now: now)
        }
        return w.finish()
    }

    /// The byte count of standard base64 text (how `binaryData` travels in JSON); 0 for text that
    /// is not base64, which kube-apiserver never stores.
    static func decodedLength(_ base64: String) -> Int {
        Base64.standard.decoded(base64)?.count ?? 0
    }
}
