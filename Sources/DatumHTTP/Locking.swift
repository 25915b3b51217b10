#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// State that is only reachable under its mutex, with a condition variable to wait for changes:
/// the one synchronisation primitive of this module (a `Mutex<State>` that can also wait).
///
/// Written over pthreads rather than `Synchronization.Mutex` because waiting with a deadline needs
/// a condition variable. The `@unchecked Sendable` is vouched for here and only here: `state` is
/// touched only inside `withLock`, under `mutex`.
final class ConditionLocked<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
            // Deadlines are computed on the monotonic clock so wall-clock jumps cannot stall retries.
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the state, under the lock.
    func withLock<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Runs `body` under the lock, then wakes every thread waiting for a change.
    func withLockBroadcasting<T>(_ body: (inout State) -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let result = body(&state)
        pthread_cond_broadcast(condition)
        return result
    }

    /// Waits once for a change, unless `ready` already holds: until a broadcast, `deadline` (nil
    /// waits indefinitely) or a spurious wake-up, so callers check again in a loop. `ready` is
    /// checked under the lock, so a change made just before cannot be missed.
    func wait(until deadline: ContinuousClock.Instant?, unless ready: (State) -> Bool) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !ready(state) else { return }
        guard let deadline else {
            pthread_cond_wait(condition, mutex)
            return
        }
        let remaining = ContinuousClock.now.duration(to: deadline)
        if remaining <= .zero { return }
        var timeout = timespec()
        #if canImport(Glibc)
            clock_gettime(CLOCK_MONOTONIC, &timeout)
            let parts = remaining.components
            let nanos = Int(timeout.tv_nsec) + Int(parts.attoseconds / 1_000_000_000)
            timeout.tv_sec += Int(parts.seconds) + nanos / 1_000_000_000
            timeout.tv_nsec = nanos % 1_000_000_000
            pthread_cond_timedwait(condition, mutex, &timeout)
        #else
            let parts = remaining.components
            timeout.tv_sec = Int(parts.seconds)
            timeout.tv_nsec = Int(parts.attoseconds / 1_000_000_000)
            pthread_cond_timedwait_relative_np(condition, mutex, &timeout)
        #endif
    }
}

/// Starts a joinable POSIX thread running `body`.
///
/// The transfer engine needs a long-lived thread that blocks in `curl_multi_poll`; a thread of
/// its own keeps it off Dispatch's shared pool, which blocking work would starve.
final class JoinableThread: @unchecked Sendable {
    private final class Payload {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    #if canImport(Glibc)
        private var thread = pthread_t()
    #else
        private var thread: pthread_t?
    #endif
    private var joined = false

    /// Returns nil when the system refuses to create a thread.
    init?(_ body: @escaping @Sendable () -> Void) {
        let payload = Unmanaged.passRetained(Payload(body)).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { argument in
                #if canImport(Glibc)
                    guard let argument else { return nil }
                #endif
                let payload = Unmanaged<Payload>.fromOpaque(argument).takeRetainedValue()
                payload.body()
                return nil
            }, payload)
        if status != 0 {
            Unmanaged<Payload>.fromOpaque(payload).release()
            return nil
        }
    }

    /// Waits for the thread to finish. Must be called once, from another thread.
    func join() {
        guard !joined else { return }
        joined = true
        #if canImport(Glibc)
            pthread_join(thread, nil)
        #else
            if let thread { pthread_join(thread, nil) }
        #endif
    }
}
