extension String {
    /// Go's `strings.TrimSpace`: leading and trailing Unicode white space removed.
    public func trimmingGoWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// Go's `strings.Trim(s, " ")`: leading and trailing spaces (U+0020 only) removed.
    public func trimmingGoSpaces() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while scalars.first == " " { scalars = scalars.dropFirst() }
        while scalars.last == " " { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
