import Synchronization

/// A one-line progress bar on stderr for long applies, redrawn in place.
///
/// Shown only when stderr is a terminal and there are enough objects for it to matter, so
/// pipes, logs and CI output never see carriage returns. The line is erased when done.
final class ApplyProgress: Sendable {
    /// Fewer objects than this finish before a bar would be worth reading.
    static let minimumObjects = 20
    static let barWidth = 30

    private struct State {
        var done = 0
        var drawnFilled = -1
    }

    private let sink: OutputSink
    private let total: Int
    private let label: String
    private let state = Mutex(State())

    /// `nil` when no bar should be shown.
    init?(sink: OutputSink, total: Int, label: String) {
        guard sink.isTerminal, total > Self.minimumObjects else { return nil }
        self.sink = sink
        self.total = total
        self.label = label
    }

    /// One more object finished; redraws when the bar grows (not on every object).
    func advance() {
        let line: String? = state.withLock { state in
            state.done += 1
            let filled = state.done * Self.barWidth / total
            guard filled != state.drawnFilled || state.done == total else { return nil }
            state.drawnFilled = filled
            return Self.render(label: label, done: state.done, total: total)
        }
        if let line {
            sink.write("\r" + line)
            sink.flush()
        }
    }

    /// Erases the bar so the results start on a clean line.
    func finish() {
        sink.write("\r\u{1B}[K")
        sink.flush()
    }

    /// `applying [=========>                    ] 312/1000`
    static func render(label: String, done: Int, total: Int) -> String {
        let filled = total == 0 ? barWidth : min(barWidth, done * barWidth / total)
        var bar = String(repeating: "=", count: filled)
        if filled < barWidth {
            bar += ">" + String(repeating: " ", count: barWidth - filled - 1)
        }
        return "\(label) [\(bar)] \(done)/\(total)"
    }
}
