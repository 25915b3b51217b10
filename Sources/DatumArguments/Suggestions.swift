/// "Did you mean …?" candidates for mistyped commands, flags and enumeration values.
public enum Suggestions {
    /// The optimal-string-alignment (restricted Damerau–Levenshtein) distance, ignoring case:
    /// insertions, deletions, substitutions and swaps of two adjacent characters each cost one.
    public static func distance(_ a: String, _ b: String) -> Int {
        let source = Array(a.lowercased())
        let target = Array(b.lowercased())
        if source.isEmpty { return target.count }
        if target.isEmpty { return source.count }
        // Three rolling rows are enough: a transposition looks back two rows.
        var twoBack = [Int](repeating: 0, count: target.count + 1)
        var previous = Array(0...target.count)
        var current = [Int](repeating: 0, count: target.count + 1)
        for i in 1...source.count {
            current[0] = i
            for j in 1...target.count {
                let cost = source[i - 1] == target[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, source[i - 1] == target[j - 2], source[i - 2] == target[j - 1] {
                    best = min(best, twoBack[j - 2] + 1)
                }
                current[j] = best
            }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[target.count]
    }

    /// The largest distance still worth suggesting: one edit for words of up to five
    /// characters, two for longer ones, so `ls` does not "match" every two-letter name.
    public static func cutoff(for word: String) -> Int {
        max(1, min(2, word.count / 3))
    }

    /// Candidates close to `word`, closest first; ties keep the order of `candidates`.
    /// A candidate that starts with `word` (ignoring case) is kept whatever its distance, after
    /// the close ones. Each candidate may carry extra spellings (aliases) that also count.
    public static func rank(_ word: String, among candidates: [(name: String, spellings: [String])])
        -> [String]
    {
        guard !word.isEmpty else { return [] }
        let limit = cutoff(for: word)
        let lowered = word.lowercased()
        var scored: [(score: Int, order: Int, name: String)] = []
        for (order, candidate) in candidates.enumerated() {
            let spellings = [candidate.name] + candidate.spellings
            let closest = spellings.map { distance(word, $0) }.min() ?? Int.max
            if closest == 0 { continue }
            if closest <= limit {
                scored.append((closest, order, candidate.name))
            } else if spellings.contains(where: { $0.lowercased().hasPrefix(lowered) }) {
                scored.append((limit + 1, order, candidate.name))
            }
        }
        scored.sort { ($0.score, $0.order) < ($1.score, $1.order) }
        var seen = Set<String>()
        return scored.map(\.name).filter { seen.insert($0).inserted }
    }

    /// Candidates close to `word` among plain names, closest first.
    public static func rank(_ word: String, among names: [String]) -> [String] {
        rank(word, among: names.map { (name: $0, spellings: []) })
    }
}
