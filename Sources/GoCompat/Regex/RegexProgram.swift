/// A character set compiled for fast membership tests.
struct CompiledScalarSet: Sendable {
    /// ASCII membership as a 128-bit map; most CRD patterns only need this.
    private var lowBits: UInt64 = 0
    private var highBits: UInt64 = 0
    /// Ranges at or above U+0080, sorted and disjoint.
    private var wide: [ClosedRange<UInt32>] = []

    init(_ set: ScalarSet) {
        var normalized = set
        normalized.normalize()
        for range in normalized.ranges {
            var low = range.lowerBound
            while low <= range.upperBound && low < 0x80 {
                if low < 64 { lowBits |= 1 << UInt64(low) } else { highBits |= 1 << UInt64(low - 64) }
                low += 1
            }
            if low <= range.upperBound { wide.append(low...range.upperBound) }
        }
    }

    @inline(__always)
    func contains(_ v: UInt32) -> Bool {
        if v < 64 { return lowBits & (1 << UInt64(v)) != 0 }
        if v < 128 { return highBits & (1 << UInt64(v - 64)) != 0 }
        var lo = 0
        var hi = wide.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let range = wide[mid]
            if v < range.lowerBound {
                hi = mid - 1
            } else if v > range.upperBound {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}

/// A Thompson-NFA program for a parsed pattern.
struct RegexProgram: Sendable {
    enum Instruction: Sendable {
        case scalar(UInt32)
        case set(Int)
        case anyExceptNewline
        /// Try the first target, then the second.
        case split(Int, Int)
        case jump(Int)
        case beginText
        case endText
        case match
    }

    /// Large programs are rejected rather than risking memory blow-ups
    /// from nested counted repetitions such as `(a{1000}){1000}`.
    static let maximumInstructions = 50_000

    private(set) var instructions: [Instruction] = []
    private(set) var sets: [CompiledScalarSet] = []
    let anchoredAtStart: Bool

    init(_ node: RegexNode, pattern: String) throws(GoRegexSyntaxError) {
        anchoredAtStart = node.isAnchoredAtStart
        try emit(node, pattern: pattern)
        instructions.append(.match)
    }

    private mutating func append(_ instruction: Instruction, pattern: String) throws(GoRegexSyntaxError) {
        if instructions.count >= RegexProgram.maximumInstructions {
            throw GoRegexSyntaxError(message: "expression too large", fragment: pattern)
        }
        instructions.append(instruction)
    }

    private mutating func emit(_ node: RegexNode, pattern: String) throws(GoRegexSyntaxError) {
        switch node {
        case .empty:
            return
        case .literal(let v):
            try append(.scalar(v), pattern: pattern)
        case .anyExceptNewline:
            try append(.anyExceptNewline, pattern: pattern)
        case .set(let s):
            sets.append(CompiledScalarSet(s))
            try append(.set(sets.count - 1), pattern: pattern)
        case .beginText:
            try append(.beginText, pattern: pattern)
        case .endText:
            try append(.endText, pattern: pattern)
        case .concat(let nodes):
            for n in nodes { try emit(n, pattern: pattern) }
        case .alternate(let branches):
            var jumpsToEnd: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = instructions.count
                    try append(.split(split + 1, -1), pattern: pattern)
                    try emit(branch, pattern: pattern)
                    jumpsToEnd.append(instructions.count)
                    try append(.jump(-1), pattern: pattern)
                    instructions[split] = .split(split + 1, instructions.count)
                } else {
                    try emit(branch, pattern: pattern)
                }
            }
            for j in jumpsToEnd { instructions[j] = .jump(instructions.count) }
        case .repetition(let inner, let min, let max):
            try emitRepetition(inner, min: min, max: max, pattern: pattern)
        }
    }

    private mutating func emitRepetition(_ inner: RegexNode, min: Int, max: Int?, pattern: String)
        throws(GoRegexSyntaxError)
    {
        guard let max else {
            if min == 0 {
                // L: split body, out; body; jump L
                let loop = instructions.count
                try append(.split(loop + 1, -1), pattern: pattern)
                try emit(inner, pattern: pattern)
                try append(.jump(loop), pattern: pattern)
                instructions[loop] = .split(loop + 1, instructions.count)
            } else {
                for _ in 0..<(min - 1) { try emit(inner, pattern: pattern) }
                // L: body; split L, out
                let body = instructions.count
                try emit(inner, pattern: pattern)
                try append(.split(body, instructions.count + 1), pattern: pattern)
            }
            return
        }
        for _ in 0..<min { try emit(inner, pattern: pattern) }
        var optionalSplits: [Int] = []
        for _ in 0..<(max - min) {
            optionalSplits.append(instructions.count)
            try append(.split(instructions.count + 1, -1), pattern: pattern)
            try emit(inner, pattern: pattern)
        }
        for s in optionalSplits { instructions[s] = .split(s + 1, instructions.count) }
    }
}

extension RegexProgram {
    /// Go uses the same bound to choose between its bit-state backtracker and the NFA simulation.
    static let maximumBacktrackBits = 256 * 1024

    @inline(__always)
    private static func decode(_ input: UnsafeBufferPointer<UInt8>, _ i: Int) -> (scalar: UInt32, length: Int) {
        let b0 = input[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        let remaining = input.count - i
        if b0 < 0xE0, remaining >= 2 {
            return ((UInt32(b0 & 0x1F) << 6) | UInt32(input[i + 1] & 0x3F), 2)
        }
        if b0 < 0xF0, remaining >= 3 {
            return (
                (UInt32(b0 & 0x0F) << 12) | (UInt32(input[i + 1] & 0x3F) << 6) | UInt32(input[i + 2] & 0x3F), 3
            )
        }
        if remaining >= 4 {
            return (
                (UInt32(b0 & 0x07) << 18) | (UInt32(input[i + 1] & 0x3F) << 12)
                    | (UInt32(input[i + 2] & 0x3F) << 6) | UInt32(input[i + 3] & 0x3F), 4
            )
        }
        // Unreachable for Swift strings (always valid UTF-8); consume the rest as U+FFFD.
        return (0xFFFD, remaining)
    }

    @inline(__always)
    private func consumes(_ instruction: Instruction, _ v: UInt32) -> Bool {
        switch instruction {
        case .scalar(let c): return c == v
        case .set(let i): return sets[i].contains(v)
        case .anyExceptNewline: return v != 0x0A
        default: return false
        }
    }

    func fitsBacktracker(inputLength: Int) -> Bool {
        instructions.count * (inputLength + 1) <= RegexProgram.maximumBacktrackBits
    }

    /// Depth-first search with a visited bit per (instruction, position), so
    /// each state is explored at most once: O(instructions × input) time.
    func backtrackSearch(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var states = 0
        return backtrackSearch(input, states: &states)
    }

    /// The same, counting the (instruction, position) states explored: never more than
    /// instructions × (input + 1), which tests check instead of timing the search.
    func backtrackSearch(_ input: UnsafeBufferPointer<UInt8>, states: inout Int) -> Bool {
        let n = input.count
        let width = n + 1
        let words = (instructions.count * width + 63) / 64
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { visited in
            visited.initialize(repeating: 0)
            var stack = BacktrackStack()
            var start = 0
            while true {
                stack.push(0, start)
                while let job = stack.pop() {
                    var pc = job.pc
                    var pos = job.pos
                    step: while true {
                        // Failed states stay failed from any start position, so the set is shared.
                        let bit = pc * width + pos
                        let mask: UInt64 = 1 << UInt64(bit & 63)
                        if visited[bit >> 6] & mask != 0 { break step }
                        visited[bit >> 6] |= mask
                        states += 1
                        let instruction = instructions[pc]
                        switch instruction {
                        case .match:
                            return true
                        case .split(let first, let second):
                            stack.push(second, pos)
                            pc = first
                        case .jump(let target):
                            pc = target
                        case .beginText:
                            guard pos == 0 else { break step }
                            pc += 1
                        case .endText:
                            guard pos == n else { break step }
                            pc += 1
                        case .scalar, .set, .anyExceptNewline:
                            guard pos < n else { break step }
                            let (v, length) = RegexProgram.decode(input, pos)
                            guard consumes(instruction, v) else { break step }
                            pc += 1
                            pos += length
                        }
                    }
                }
                if anchoredAtStart || start >= n { return false }
                start += RegexProgram.decode(input, start).length
            }
        }
    }

    /// The backtracker's pending (pc, position) pairs: a fixed inline buffer
    /// that only touches the heap for unusually branchy searches.
    private struct BacktrackStack {
        private var inline: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        private var inlineCount = 0
        private var spill: [UInt64] = []

        /// Both values fit in 32 bits: programs and backtracked inputs are far smaller.
        @inline(__always)
        mutating func push(_ pc: Int, _ pos: Int) {
            let packed = UInt64(truncatingIfNeeded: pc) << 32 | UInt64(truncatingIfNeeded: pos)
            if inlineCount < 8 {
                withUnsafeMutableBytes(of: &inline) { raw in
                    raw.storeBytes(of: packed, toByteOffset: inlineCount * 8, as: UInt64.self)
                }
                inlineCount += 1
            } else {
                spill.append(packed)
            }
        }

        @inline(__always)
        mutating func pop() -> (pc: Int, pos: Int)? {
            let packed: UInt64
            if let last = spill.popLast() {
                packed = last
            } else if inlineCount > 0 {
                inlineCount -= 1
                packed = withUnsafeBytes(of: &inline) { raw in
                    raw.load(fromByteOffset: inlineCount * 8, as: UInt64.self)
                }
            } else {
                return nil
            }
            return (Int(packed >> 32), Int(packed & 0xFFFF_FFFF))
        }
    }

    /// Sparse set of instruction indexes (Briggs–Torczon), O(1) clear.
    private struct ThreadList {
        var dense: [Int]
        var sparse: [Int]
        var count = 0

        init(capacity: Int) {
            dense = Array(repeating: 0, count: capacity)
            sparse = Array(repeating: 0, count: capacity)
        }

        @inline(__always)
        func contains(_ pc: Int) -> Bool {
            let i = sparse[pc]
            return i < count && dense[i] == pc
        }

        @inline(__always)
        mutating func insert(_ pc: Int) {
            sparse[pc] = count
            dense[count] = pc
            count += 1
        }
    }

    private func addThread(_ list: inout ThreadList, _ pc: Int, at pos: Int, inputLength n: Int, stack: inout [Int]) {
        stack.append(pc)
        while let current = stack.popLast() {
            if list.contains(current) { continue }
            list.insert(current)
            switch instructions[current] {
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .jump(let target):
                stack.append(target)
            case .beginText:
                if pos == 0 { stack.append(current + 1) }
            case .endText:
                if pos == n { stack.append(current + 1) }
            default:
                break
            }
        }
    }

    /// Lock-step NFA simulation (Pike VM without captures) for inputs too
    /// long for the backtracker's bit set.
    func simulateNFA(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var states = 0
        return simulateNFA(input, states: &states)
    }

    /// The same, counting the threads stepped: at most instructions per input position.
    func simulateNFA(_ input: UnsafeBufferPointer<UInt8>, states: inout Int) -> Bool {
        let n = input.count
        var current = ThreadList(capacity: instructions.count)
        var next = ThreadList(capacity: instructions.count)
        var stack: [Int] = []
        stack.reserveCapacity(16)
        var pos = 0
        while true {
            if !anchoredAtStart || pos == 0 {
                addThread(&current, 0, at: pos, inputLength: n, stack: &stack)
            }
            if current.count == 0 { return false }
            let atEnd = pos == n
            var v: UInt32 = 0
            var nextPos = pos
            if !atEnd {
                let decoded = RegexProgram.decode(input, pos)
                v = decoded.scalar
                nextPos = pos + decoded.length
            }
            next.count = 0
            states += current.count
            for i in 0..<current.count {
                let pc = current.dense[i]
                let instruction = instructions[pc]
                if case .match = instruction { return true }
                if !atEnd && consumes(instruction, v) {
                    addThread(&next, pc + 1, at: nextPos, inputLength: n, stack: &stack)
                }
            }
            if atEnd { return false }
            swap(&current, &next)
            pos = nextPos
        }
    }
}
