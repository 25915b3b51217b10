/// Go's `sort.Sort` (pattern-defeating quicksort, Go 1.19 and later), step for step.
///
/// go-yaml's key comparison is not transitive for some mixes of leading zeros
/// (`x10` < `x1y2` < `x1y10` < `x01y3` < `x10`). kubectl sorts Go map keys, which
/// arrive in random order, so its output for such keys varies from run to run.
/// Running Go's own algorithm over our insertion order gives one of the orders
/// kubectl can print, deterministically; for ordinary keys every sort agrees.
struct GoSort<Element> {
    private var data: [Element]
    private let less: (Element, Element) -> Bool

    static func sorted(_ elements: [Element], by less: @escaping (Element, Element) -> Bool) -> [Element] {
        guard elements.count > 1 else { return elements }
        var sorter = GoSort(data: elements, less: less)
        let limit = Int.bitWidth - elements.count.leadingZeroBitCount
        sorter.pdqsort(0, elements.count, limit)
        return sorter.data
    }

    private init(data: [Element], less: @escaping (Element, Element) -> Bool) {
        self.data = data
        self.less = less
    }

    private func isLess(_ i: Int, _ j: Int) -> Bool { less(data[i], data[j]) }
    private mutating func swap(_ i: Int, _ j: Int) { data.swapAt(i, j) }

    private enum Hint { case unknown, increasing, decreasing }

    private mutating func pdqsort(_ start: Int, _ end: Int, _ initialLimit: Int) {
        var a = start
        var b = end
        var limit = initialLimit
        var wasBalanced = true
        var wasPartitioned = true
        while true {
            let length = b - a
            if length <= 12 {
                insertionSort(a, b)
                return
            }
            if limit == 0 {
                heapSort(a, b)
                return
            }
            if !wasBalanced {
                breakPatterns(a, b)
                limit -= 1
            }
            var (pivot, hint) = choosePivot(a, b)
            if hint == .decreasing {
                reverseRange(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = .increasing
            }
            if wasBalanced && wasPartitioned && hint == .increasing && partialInsertionSort(a, b) {
                return
            }
            // Many elements equal to the pivot: split off the equal run.
            if a > 0 && !isLess(a - 1, pivot) {
                a = partitionEqual(a, b, pivot)
                continue
            }
            let (mid, alreadyPartitioned) = partition(a, b, pivot)
            wasPartitioned = alreadyPartitioned
            let leftLength = mid - a
            let rightLength = b - mid
            let balanceThreshold = length / 8
            if leftLength < rightLength {
                wasBalanced = leftLength >= balanceThreshold
                pdqsort(a, mid, limit)
                a = mid + 1
            } else {
                wasBalanced = rightLength >= balanceThreshold
                pdqsort(mid + 1, b, limit)
                b = mid
            }
        }
    }

    private mutating func insertionSort(_ a: Int, _ b: Int) {
        var i = a + 1
        while i < b {
            var j = i
            while j > a && isLess(j, j - 1) {
                swap(j, j - 1)
                j -= 1
            }
            i += 1
        }
    }

    private mutating func siftDown(_ lo: Int, _ hi: Int, _ first: Int) {
        var root = lo
        while true {
            var child = 2 * root + 1
            if child >= hi { return }
            if child + 1 < hi && isLess(first + child, first + child + 1) { child += 1 }
            if !isLess(first + root, first + child) { return }
            swap(first + root, first + child)
            root = child
        }
    }

    private mutating func heapSort(_ a: Int, _ b: Int) {
        let first = a
        let hi = b - a
        var i = (hi - 1) / 2
        while i >= 0 {
            siftDown(i, hi, first)
            i -= 1
        }
        i = hi - 1
        while i >= 0 {
            swap(first, first + i)
            siftDown(0, i, first)
            i -= 1
        }
    }

    private mutating func partition(_ a: Int, _ b: Int, _ pivot: Int) -> (Int, Bool) {
        swap(a, pivot)
        var i = a + 1
        var j = b - 1
        while i <= j && isLess(i, a) { i += 1 }
        while i <= j && !isLess(j, a) { j -= 1 }
        if i > j {
            swap(j, a)
            return (j, true)
        }
        swap(i, j)
        i += 1
        j -= 1
        while true {
            while i <= j && isLess(i, a) { i += 1 }
            while i <= j && !isLess(j, a) { j -= 1 }
            if i > j { break }
            swap(i, j)
            i += 1
            j -= 1
        }
        swap(j, a)
        return (j, false)
    }

    private mutating func partitionEqual(_ a: Int, _ b: Int, _ pivot: Int) -> Int {
        swap(a, pivot)
        var i = a + 1
        var j = b - 1
        while true {
            while i <= j && !isLess(a, i) { i += 1 }
            while i <= j && isLess(a, j) { j -= 1 }
            if i > j { break }
            swap(i, j)
            i += 1
            j -= 1
        }
        return i
    }

    private mutating func partialInsertionSort(_ a: Int, _ b: Int) -> Bool {
        let maxSteps = 5
        let shortestShifting = 50
        var i = a + 1
        for _ in 0..<maxSteps {
            while i < b && !isLess(i, i - 1) { i += 1 }
            if i == b { return true }
            if b - a < shortestShifting { return false }
            swap(i, i - 1)
            if i - a >= 2 {
                var j = i - 1
                while j >= 1 {
                    if !isLess(j, j - 1) { break }
                    swap(j, j - 1)
                    j -= 1
                }
            }
            if b - i >= 2 {
                var j = i + 1
                while j < b {
                    if !isLess(j, j - 1) { break }
                    swap(j, j - 1)
                    j += 1
                }
            }
        }
        return false
    }

    private mutating func breakPatterns(_ a: Int, _ b: Int) {
        let length = b - a
        guard length >= 8 else { return }
        var random = UInt64(length)
        let modulus = 1 << (Int.bitWidth - length.leadingZeroBitCount)
        var index = a + (length / 4) * 2 - 1
        while index <= a + (length / 4) * 2 + 1 {
            // xorshift with Go's sort package constants.
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            var other = Int(truncatingIfNeeded: random & UInt64(modulus - 1))
            if other >= length { other -= length }
            swap(index, a + other)
            index += 1
        }
    }

    private mutating func choosePivot(_ a: Int, _ b: Int) -> (Int, Hint) {
        let length = b - a
        var swaps = 0
        var i = a + length / 4 * 1
        var j = a + length / 4 * 2
        var k = a + length / 4 * 3
        if length >= 8 {
            if length >= 50 {
                i = median(i - 1, i, i + 1, &swaps)
                j = median(j - 1, j, j + 1, &swaps)
                k = median(k - 1, k, k + 1, &swaps)
            }
            j = median(i, j, k, &swaps)
        }
        switch swaps {
        case 0: return (j, .increasing)
        case 12: return (j, .decreasing)
        default: return (j, .unknown)
        }
    }

    private func order2(_ a: Int, _ b: Int, _ swaps: inout Int) -> (Int, Int) {
        if isLess(b, a) {
            swaps += 1
            return (b, a)
        }
        return (a, b)
    }

    private func median(_ a0: Int, _ b0: Int, _ c0: Int, _ swaps: inout Int) -> Int {
        var (a, b) = order2(a0, b0, &swaps)
        var c = c0
        (b, c) = order2(b, c, &swaps)
        (a, b) = order2(a, b, &swaps)
        _ = (a, c)
        return b
    }

    private mutating func reverseRange(_ a: Int, _ b: Int) {
        var i = a
        var j = b - 1
        while i < j {
            swap(i, j)
            i += 1
            j -= 1
        }
    }
}
