/// Splits filter text into ``FilterToken``s, following the lexical rules of Milvus's `Plan.g4`:
///
/// - identifiers `[A-Za-z_][A-Za-z0-9_]*` and `$meta`;
/// - integers in decimal, hex `0x1F`, binary `0b101` and octal with a leading zero (`017` is 15, as in
///   Milvus); floats `1.5`, `.5`, `2.`, `1e-3`;
/// - strings in double or single quotes; escapes `\" \' \\ \n \t \r \uXXXX` are decoded, any other
///   backslash pair is kept as is (so `like "50\%"` reaches the pattern with its escape);
/// - `true`/`True`/`TRUE`, `false`/`False`/`FALSE`; keywords in all-lower or all-upper case;
/// - template parameters `{name}`.
struct FilterLexer {
    let scalars: [Unicode.Scalar]
    let text: String
    var position = 0

    init(_ text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(FilterError) -> [FilterToken] {
        var lexer = FilterLexer(text)
        var tokens: [FilterToken] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    private func error(_ message: String, at position: Int) -> FilterError {
        FilterError(.syntax, message, at: position, in: text)
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
    private static func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { $0 >= "0" && $0 <= "9" } ?? false }

    mutating func next() throws(FilterError) -> FilterToken {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1 }
        let start = position
        guard let c = peek() else { return FilterToken(kind: .end, position: start) }
        if FilterLexer.isIdentStart(c) || (c == "$" && peek(1).map(FilterLexer.isIdentStart) == true) {
            position += 1
            while let d = peek(), FilterLexer.isIdentStart(d) || FilterLexer.isDigit(d) { position += 1 }
            let word = String(String.UnicodeScalarView(scalars[start..<position]))
            if word.hasPrefix("$"), word != "$meta" {
                throw error("unknown identifier '\(word)' (only $meta starts with '$')", at: start)
            }
            return FilterToken(kind: FilterLexer.classify(word), position: start)
        }
        if FilterLexer.isDigit(c) || (c == "." && FilterLexer.isDigit(peek(1))) {
            return FilterToken(kind: try number(), position: start)
        }
        if c == "\"" || c == "'" {
            return FilterToken(kind: .string(try string(quote: c)), position: start)
        }
        if c == "{" {
            // Template parameter `{name}` (Milvus 2.5+ expression templates).
            position += 1
            let nameStart = position
            while let d = peek(), FilterLexer.isIdentStart(d) || FilterLexer.isDigit(d) { position += 1 }
            guard position > nameStart, FilterLexer.isIdentStart(scalars[nameStart]), peek() == "}" else {
                throw error("malformed template parameter; expected {name}", at: start)
            }
            position += 1
            return FilterToken(kind: .template(String(String.UnicodeScalarView(scalars[nameStart..<position - 1]))), position: start)
        }
        for length in [2, 1] {
            guard position + length <= scalars.count else { continue }
            let s = String(String.UnicodeScalarView(scalars[position..<position + length]))
            if let sym = FilterToken.Symbol(rawValue: s) {
                position += length
                return FilterToken(kind: .symbol(sym), position: start)
            }
        }
        throw error("unexpected character '\(c)'", at: start)
    }

    private static func classify(_ word: String) -> FilterToken.Kind {
        switch word {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if word == word.lowercased() || word == word.uppercased(),
            let k = FilterToken.Keyword(rawValue: word.lowercased())
        {
            return .keyword(k)
        }
        return .identifier(word)
    }

    private mutating func number() throws(FilterError) -> FilterToken.Kind {
        let start = position
        var radix = 10
        if peek() == "0", let x = peek(1), "xXbB".unicodeScalars.contains(x) {
            radix = (x == "x" || x == "X") ? 16 : 2
            position += 2
        }
        let digitsStart = position
        while let d = peek(), d.properties.isASCIIHexDigit || d == "." || ((d == "e" || d == "E") && radix == 10) {
            if d == "e" || d == "E" {
                // Exponent (only in decimal): e, optional sign, digits.
                position += 1
                if peek() == "+" || peek() == "-" { position += 1 }
                guard FilterLexer.isDigit(peek()) else { throw error("malformed exponent in number", at: start) }
                while FilterLexer.isDigit(peek()) { position += 1 }
                break
            }
            if radix == 10 && !(FilterLexer.isDigit(d) || d == ".") { break }
            position += 1
        }
        if let d = peek(), FilterLexer.isIdentStart(d) {
            throw error("malformed number: unexpected '\(d)'", at: position)
        }
        let literal = String(String.UnicodeScalarView(scalars[digitsStart..<position]))
        if radix != 10 {
            guard !literal.isEmpty, let v = UInt64(literal, radix: radix) else {
                throw error("malformed or out-of-range integer '\(String(String.UnicodeScalarView(scalars[start..<position])))'", at: start)
            }
            return .integer(v)
        }
        if literal.contains(".") || literal.contains("e") || literal.contains("E") {
            guard let v = Double(literal), v.isFinite else { throw error("malformed number '\(literal)'", at: start) }
            return .float(v)
        }
        if literal.count > 1, literal.hasPrefix("0") {
            guard let v = UInt64(literal.dropFirst(), radix: 8) else {
                throw error("malformed octal integer '\(literal)' (a leading 0 means octal, as in Milvus)", at: start)
            }
            return .integer(v)
        }
        guard let v = UInt64(literal) else { throw error("integer '\(literal)' is out of range", at: start) }
        return .integer(v)
    }

    private mutating func string(quote: Unicode.Scalar) throws(FilterError) -> String {
        let start = position
        position += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw error("unterminated string", at: start) }
            position += 1
            if c == quote { return String(out) }
            if c == "\n" || c == "\r" { throw error("unterminated string (newline inside)", at: start) }
            guard c == "\\" else {
                out.append(c)
                continue
            }
            guard let e = peek() else { throw error("unterminated string", at: start) }
            position += 1
            switch e {
            case "\"", "'", "\\": out.append(e)
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "u":
                guard position + 4 <= scalars.count,
                    let v = UInt32(String(String.UnicodeScalarView(scalars[position..<position + 4])), radix: 16),
                    let s = Unicode.Scalar(v)
                else { throw error("malformed \\u escape", at: position - 2) }
                position += 4
                out.append(s)
            default:
                out.append("\\")
                out.append(e)
            }
        }
    }
}
