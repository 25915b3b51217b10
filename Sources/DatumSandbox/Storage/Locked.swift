import NIOConcurrencyHelpers

/// State that can only be reached while holding its lock: the sandbox's `Mutex<State>`, with
/// typed throws (NIO's `NIOLockedValueBox` rethrows untyped errors, and the store throws
/// `APIError`). The one place in the sandbox that vouches for `Sendable` by hand: the value is
/// only ever touched inside `withLock`, under `lock`.
final class Locked<State>: @unchecked Sendable {
    private let lock = NIOLock()
    private var value: State

    init(_ value: State) {
        self.value = value
    }

    func withLock<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
