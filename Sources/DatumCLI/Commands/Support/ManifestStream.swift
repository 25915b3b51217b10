import DatumKit
import DatumYAML

/// Loads the manifests of `-f` inputs using every core, in input order.
///
/// Each file is read and split at its document markers on the calling thread (a byte scan);
/// the chunks are parsed, converted and transformed (validated, say) on other cores; results
/// come back on the calling thread in input order. Only a bounded number of chunks is in
/// flight, so memory stays small however long the stream is.
struct ManifestStream {
    var loader: ManifestLoader

    /// One object (or the error in its place) after the transform, with the number to add to
    /// its chunk-local document index to get its index in the file.
    struct Delivery<Output> {
        var output: Output
        var documentBase: Int
    }

    func run<Output: Sendable>(
        _ inputs: [ManifestInput], transform: @escaping @Sendable (Result<Manifest, ManifestError>) -> Output,
        deliver: @escaping (Delivery<Output>) -> Void
    ) {
        let loader = self.loader
        for input in inputs {
            var documentBase = 0
            let pipeline = OrderedPipeline<YAMLChunk, (documents: Int, outputs: [Output])>(
                batchSize: 8, maxInFlight: 8,
                transform: { chunk in
                    let loaded = loader.load(chunk: chunk)
                    return (loaded.documents, loaded.results.map(transform))
                },
                deliver: { chunk in
                    for output in chunk.outputs { deliver(Delivery(output: output, documentBase: documentBase)) }
                    documentBase += chunk.documents
                })
            switch loader.chunks(of: input) {
            case .failure(let error):
                deliver(Delivery(output: transform(.failure(error)), documentBase: 0))
            case .success(let chunks):
                for chunk in chunks { pipeline.submit(chunk) }
            }
            pipeline.finish()
        }
    }
}
