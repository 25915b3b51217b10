import Dispatch
import Synchronization

/// Transforms items on worker threads while the caller keeps producing them, and hands the
/// results back on the calling thread in input order.
///
/// Used where reading is inherently sequential (a YAML stream) but the work per item
/// (conversion, validation) is independent: the reader runs on the calling thread while the
/// other cores transform. Memory stays bounded: at most `maxInFlight` batches are pending.
final class OrderedPipeline<Input: Sendable, Output: Sendable> {
    private final class Batch: Sendable {
        let done = DispatchSemaphore(value: 0)
        let outputs = Mutex<[Output]>([])
    }

    private let batchSize: Int
    private let maxInFlight: Int
    private let transform: @Sendable (Input) -> Output
    private let deliver: (Output) -> Void
    private var current: [Input] = []
    private var pending: [Batch] = []

    init(
        batchSize: Int = 64, maxInFlight: Int = 8, transform: @escaping @Sendable (Input) -> Output,
        deliver: @escaping (Output) -> Void
    ) {
        self.batchSize = max(1, batchSize)
        self.maxInFlight = max(1, maxInFlight)
        self.transform = transform
        self.deliver = deliver
        current.reserveCapacity(self.batchSize)
    }

    func submit(_ input: Input) {
        current.append(input)
        if current.count >= batchSize { dispatchCurrent() }
        while pending.count > maxInFlight { deliverOldest() }
    }

    /// Waits for every submitted item and delivers the remaining results.
    func finish() {
        dispatchCurrent()
        while !pending.isEmpty { deliverOldest() }
    }

    private func dispatchCurrent() {
        guard !current.isEmpty else { return }
        let inputs = current
        current.removeAll(keepingCapacity: true)
        let batch = Batch()
        let transform = self.transform
        DispatchQueue.global().async {
            let outputs = inputs.map(transform)
            batch.outputs.withLock { $0 = outputs }
            batch.done.signal()
        }
        pending.append(batch)
    }

    private func deliverOldest() {
        let batch = pending.removeFirst()
        batch.done.wait()
        for output in batch.outputs.withLock({ $0 }) { deliver(output) }
    }
}
