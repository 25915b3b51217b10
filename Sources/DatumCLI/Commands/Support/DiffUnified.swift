/// A line diff in the `diff -u` layout, so `datumctl diff` needs no external program.
///
/// The edit script is Myers' shortest one (after trimming the common head and tail); hunks
/// carry three lines of context and merge when at most six unchanged lines separate two
/// changes, as GNU diff does. Within a change, removed lines come before added ones.
struct UnifiedDiff: Sendable {
    /// Unchanged lines shown around each change.
    var context: Int = 3
    /// Above this many differing lines a minimal script is not searched for: the differing
    /// middle is shown as removed then added, which is still a correct diff.
    var maximumEditDistance: Int = 1024

    enum Operation: Equatable {
        case equal
        case delete
        case insert
    }

    /// The hunks (`@@ ... @@` and their lines) turning `old` into `new`; empty when equal.
    /// Both texts are split at `\n`; a text not ending in a newline gets GNU's marker.
    func hunks(old: String, new: String) -> String {
        let a = Self.lines(old)
        let b = Self.lines(new)
        let script = editScript(a.map(\.text), b.map(\.text))
        guard script.contains(where: { $0 != .equal }) else { return "" }
        return render(script, a, b)
    }

    /// The full file diff: the `---`/`+++` labels, then the hunks; empty when equal.
    func diff(old: String, new: String, oldLabel: String, newLabel: String) -> String {
        let body = hunks(old: old, new: new)
        guard !body.isEmpty else { return "" }
        return "--- \(oldLabel)\n+++ \(newLabel)\n" + body
    }

    // MARK: - Edit script

    /// One line with its `\n` when it has one, so a last line without it differs from one with it.
    struct Line {
        var text: Substring
        var hasNewline: Bool { text.last == "\n" }
    }

    static func lines(_ text: String) -> [Line] {
        var result: [Line] = []
        var rest = text[...]
        while !rest.isEmpty {
            let end = rest.firstIndex(of: "\n").map { rest.index(after: $0) } ?? rest.endIndex
            result.append(Line(text: rest[..<end]))
            rest = rest[end...]
        }
        return result
    }

    /// One operation per line of `a` (equal or delete) and of `b` (insert), in order.
    func editScript(_ a: [Substring], _ b: [Substring]) -> [Operation] {
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] {
            tail += 1
        }
        let middleA = Array(a[head..<(a.count - tail)])
        let middleB = Array(b[head..<(b.count - tail)])
        var script = [Operation](repeating: .equal, count: head)
        script += middle(middleA, middleB)
        script += [Operation](repeating: .equal, count: tail)
        return Self.slidingChanges(script, a, b)
    }

    /// Moves runs of changed lines the way GNU diff's last pass does, so that equally short
    /// scripts come out the same as `diff -u` prints them: a run whose first line equals the
    /// unchanged line after it slides down (and whose last line equals the one before it
    /// slides up) to merge with neighbouring runs, ends as low as it can, and is then moved
    /// back up to line up with a change in the other file where possible.
    static func slidingChanges(_ script: [Operation], _ a: [Substring], _ b: [Substring]) -> [Operation] {
        // Per-line flags with a false sentinel on either side: line k is at index k + 1.
        var deleted = [false]
        var inserted = [false]
        for operation in script {
            switch operation {
            case .equal:
                deleted.append(false)
                inserted.append(false)
            case .delete: deleted.append(true)
            case .insert: inserted.append(true)
            }
        }
        deleted.append(false)
        inserted.append(false)
        slide(&deleted, lines: a, other: inserted)
        slide(&inserted, lines: b, other: deleted)

        var result: [Operation] = []
        result.reserveCapacity(script.count)
        var i = 1
        var j = 1
        while i <= a.count || j <= b.count {
            if i <= a.count && deleted[i] {
                result.append(.delete)
                i += 1
            } else if j <= b.count && inserted[j] {
                result.append(.insert)
                j += 1
            } else {
                result.append(.equal)
                i += 1
                j += 1
            }
        }
        return result
    }

    /// One file's pass of ``slidingChanges(_:_:_:)``. `changed` and `other` are padded flags;
    /// `j` follows, in the other file, the unchanged line paired with this file's line `i`.
    private static func slide(_ changed: inout [Bool], lines: [Substring], other: [Bool]) {
        let end = lines.count + 1  // padded index just past the last line
        func same(_ x: Int, _ y: Int) -> Bool { lines[x - 1] == lines[y - 1] }
        var i = 1
        var j = 1
        while true {
            var corresponding = end
            while i < end && !changed[i] {
                while other[j] {
                    j += 1
                    corresponding = i
                }
                j += 1
                i += 1
            }
            if i == end { break }
            var start = i
            while changed[i] { i += 1 }
            while other[j] { j += 1 }
            var length: Int
            repeat {
                length = i - start
                // Up while the line before the run equals its last line, merging with runs above.
                while start > 1 && same(start - 1, i - 1) {
                    start -= 1
                    changed[start] = true
                    i -= 1
                    changed[i] = false
                    while changed[start - 1] { start -= 1 }
                    j -= 1
                    while other[j] { j -= 1 }
                }
                corresponding = other[j - 1] ? i : end
                // Then down while its first line equals the line after it, merging with runs below.
                while i != end && same(start, i) {
                    changed[start] = false
                    start += 1
                    changed[i] = true
                    i += 1
                    while changed[i] { i += 1 }
                    j += 1
                    while other[j] {
                        j += 1
                        corresponding = i
                    }
                }
            } while length != i - start
            // Back up to where it lines up with a change in the other file, if there is one.
            while corresponding < i {
                start -= 1
                changed[start] = true
                i -= 1
                changed[i] = false
                j -= 1
                while other[j] { j -= 1 }
            }
        }
    }

    /// Myers' greedy algorithm, keeping each round's furthest reaching paths to walk back.
    private func middle(_ a: [Substring], _ b: [Substring]) -> [Operation] {
        let n = a.count
        let m = b.count
        if n == 0 { return [Operation](repeating: .insert, count: m) }
        if m == 0 { return [Operation](repeating: .delete, count: n) }
        let limit = min(n + m, maximumEditDistance)
        let offset = limit + 1
        var furthest = [Int](repeating: 0, count: 2 * limit + 3)
        var rounds: [[Int]] = []
        var found = false
        search: for d in 0...limit {
            // Only diagonals -(d+1)...(d+1) are read when walking back through round d.
            rounds.append(Array(furthest[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && furthest[offset + k - 1] < furthest[offset + k + 1]) {
                    x = furthest[offset + k + 1]  // down: insert b's line
                } else {
                    x = furthest[offset + k - 1] + 1  // right: delete a's line
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                furthest[offset + k] = x
                if x >= n && y >= m {
                    found = true
                    break search
                }
            }
        }
        guard found else {
            return [Operation](repeating: .delete, count: n) + [Operation](repeating: .insert, count: m)
        }
        // Walk back from (n, m), one round at a time.
        var reversed: [Operation] = []
        var x = n
        var y = m
        for d in stride(from: rounds.count - 1, through: 0, by: -1) {
            let previous = rounds[d]
            let base = d + 1  // index of diagonal 0 in `previous`
            let k = x - y
            let wentDown = k == -d || (k != d && previous[base + k - 1] < previous[base + k + 1])
            let previousK = wentDown ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : previous[base + previousK]
            let previousY = previousX - previousK
            while x > previousX + (wentDown ? 0 : 1), y > previousY + (wentDown ? 1 : 0) {
                reversed.append(.equal)
                x -= 1
                y -= 1
            }
            if d == 0 { break }
            if wentDown {
                reversed.append(.insert)
                y -= 1
            } else {
                reversed.append(.delete)
                x -= 1
            }
        }
        while x > 0, y > 0 {
            reversed.append(.equal)
            x -= 1
            y -= 1
        }
        return reversed.reversed()
    }

    // MARK: - Hunks

    /// One entry per script step, with its position in `a` and `b`.
    private struct Step {
        var operation: Operation
        var oldIndex: Int
        var newIndex: Int
    }

    private func render(_ script: [Operation], _ a: [Line], _ b: [Line]) -> String {
        var steps: [Step] = []
        steps.reserveCapacity(script.count)
        var i = 0
        var j = 0
        for operation in script {
            steps.append(Step(operation: operation, oldIndex: i, newIndex: j))
            switch operation {
            case .equal:
                i += 1
                j += 1
            case .delete: i += 1
            case .insert: j += 1
            }
        }
        // Group changed steps into hunks: a gap of more than 2 × context unchanged steps splits.
        var hunks: [Range<Int>] = []
        var index = 0
        while index < steps.count {
            guard steps[index].operation != .equal else {
                index += 1
                continue
            }
            var lastChange = index
            var cursor = index + 1
            while cursor < steps.count {
                if steps[cursor].operation != .equal {
                    lastChange = cursor
                } else if cursor - lastChange > 2 * context {
                    break
                }
                cursor += 1
            }
            let start = max(0, index - context)
            let end = min(steps.count, lastChange + 1 + context)
            hunks.append(start..<end)
            index = lastChange + 1
        }
        var out = ""
        for hunk in hunks {
            out += header(
                steps[hunk], oldStart: steps[hunk.lowerBound].oldIndex, newStart: steps[hunk.lowerBound].newIndex)
            var position = hunk.lowerBound
            while position < hunk.upperBound {
                let step = steps[position]
                if step.operation == .equal {
                    out += line(" ", a[step.oldIndex])
                    position += 1
                    continue
                }
                // One change: its removed lines, then its added lines.
                var changeEnd = position
                while changeEnd < hunk.upperBound, steps[changeEnd].operation != .equal { changeEnd += 1 }
                for change in steps[position..<changeEnd] where change.operation == .delete {
                    out += line("-", a[change.oldIndex])
                }
                for change in steps[position..<changeEnd] where change.operation == .insert {
                    out += line("+", b[change.newIndex])
                }
                position = changeEnd
            }
        }
        return out
    }

    private func header(_ steps: ArraySlice<Step>, oldStart: Int, newStart: Int) -> String {
        let oldCount = steps.filter { $0.operation != .insert }.count
        let newCount = steps.filter { $0.operation != .delete }.count
        return
            "@@ -\(Self.range(start: oldStart, count: oldCount)) +\(Self.range(start: newStart, count: newCount)) @@\n"
    }

    /// GNU's range notation: `l` for one line, `l,n` otherwise, and for an empty range the
    /// line before it (`0,0` at the top of the file).
    static func range(start: Int, count: Int) -> String {
        switch count {
        case 0: return "\(start),0"
        case 1: return "\(start + 1)"
        default: return "\(start + 1),\(count)"
        }
    }

    private func line(_ marker: String, _ line: Line) -> String {
        line.hasNewline ? marker + line.text : marker + line.text + "\n\\ No newline at end of file\n"
    }
}
