import GoCompat

extension CommandSpec {
    /// Mistakes in a spec tree that the parser cannot resolve sensibly, one message each
    /// (empty when consistent). Meant for a unit test over datumctl's real spec, so a bad
    /// default or a clashing `-n` fails CI rather than a user's command line.
    public func consistencyProblems() -> [String] {
        var problems: [String] = []
        check(chain: [self], into: &problems)
        return problems
    }

    private func check(chain: [CommandSpec], into problems: inout [String]) {
        let path = chain.map(\.name).joined(separator: " ")
        if name.isEmpty || name.hasPrefix("-") || name.contains(" ") {
            problems.append("\(path): invalid command name \(GoFormat.quote(name))")
        }
        if summary.contains("\n") {
            problems.append("\(path): summary must be one line")
        }

        var spellings = Set<String>()
        for subcommand in subcommands {
            for spelling in [subcommand.name] + subcommand.aliases where !spellings.insert(spelling).inserted {
                problems.append("\(path): subcommand name or alias \(GoFormat.quote(spelling)) is used twice")
            }
        }

        var longNames = Set<String>()
        var shortNames = Set<Character>()
        for option in options {
            if !longNames.insert(option.long).inserted {
                problems.append("\(path): option --\(option.long) is declared twice")
            }
            if let short = option.short, !shortNames.insert(short).inserted {
                problems.append("\(path): shorthand -\(short) is declared twice")
            }
            if option.long.isEmpty || option.long.hasPrefix("-") || option.long.contains("=") {
                problems.append("\(path): invalid option name \(GoFormat.quote(option.long))")
            }
            if let fallback = option.defaultValue, let reason = defaultProblem(fallback, option) {
                problems.append("\(path): default of --\(option.long) \(reason)")
            }
        }
        // Inherited global shorthands must not be reused by a descendant for something else:
        // the descendant's option would silently win.
        for ancestor in chain.dropLast() {
            for inherited in ancestor.options where inherited.isGlobal {
                if let short = inherited.short,
                    let clash = options.first(where: { $0.short == short && $0.long != inherited.long })
                {
                    problems.append(
                        "\(path): -\(short) of --\(clash.long) shadows global --\(inherited.long)")
                }
            }
        }

        var sawOptional = false
        for (index, positional) in positionals.enumerated() {
            if positional.isRepeating && index != positionals.count - 1 {
                problems.append("\(path): only the last positional may repeat (\(positional.name))")
            }
            if !positional.isOptional && sawOptional {
                problems.append("\(path): required positional \(positional.name) follows an optional one")
            }
            sawOptional = sawOptional || positional.isOptional
        }

        for subcommand in subcommands {
            subcommand.check(chain: chain + [subcommand], into: &problems)
        }
    }

    private func defaultProblem(_ fallback: String, _ option: OptionSpec) -> String? {
        switch option.valueProblem(fallback) {
        case nil: return nil
        case .syntax(let error)?: return "does not parse: \(error.message)"
        case .notAChoice?: return "is not one of its values"
        case .unknownFormat?: return "is not one of its formats"
        }
    }
}
