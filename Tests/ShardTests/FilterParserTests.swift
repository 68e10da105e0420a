import Testing
@testable import Shard

/// Tree shapes: precedence and associativity are checked on the parse itself, independent of evaluation.
@Suite struct FilterParserTests {
    func tree(_ s: String) throws -> String { render(try FilterParser.parse(s)) }

    func render(_ n: FilterSyntax) -> String {
        switch n {
        case .literal(.int(let v), _): "\(v)"
        case .literal(.float(let v), _): "\(v)"
        case .literal(.string(let s), _): "\"\(s)\""
        case .literal(.bool(let b), _): "\(b)"
        case .list(let items, _): "[" + items.map(render).joined(separator: ",") + "]"
        case .identifier(let name, _): name
        case .subscripted(let b, let k, _): render(b) + k.description
        case .negate(let a, _): "(-\(render(a)))"
        case .not(let a, _): "(not \(render(a)))"
        case .arithmetic(let op, let a, let b, _): "(\(render(a)) \(op.rawValue) \(render(b)))"
        case .comparison(let op, let a, let b, _): "(\(render(a)) \(op.rawValue) \(render(b)))"
        case .and(let a, let b): "(\(render(a)) and \(render(b)))"
        case .or(let a, let b): "(\(render(a)) or \(render(b)))"
        case .inList(let a, let l, let neg, _): "(\(render(a)) \(neg ? "not in" : "in") \(render(l)))"
        case .like(let a, let p, _): "(\(render(a)) like \"\(p)\")"
        case .isNull(let a, let neg, _): "(\(render(a)) is \(neg ? "not " : "")null)"
        case .exists(let a, _): "(exists \(render(a)))"
        case .call(let name, let args, _): name + "(" + args.map(render).joined(separator: ",") + ")"
        }
    }

    @Test func arithmeticPrecedenceAndAssociativity() throws {
        #expect(try tree("a + b * c == 1") == "((a + (b * c)) == 1)")
        #expect(try tree("a - b - c == 1") == "(((a - b) - c) == 1)")
        #expect(try tree("a / b % c == 1") == "(((a / b) % c) == 1)")
        #expect(try tree("a ** b ** c == 1") == "((a ** (b ** c)) == 1)")
        #expect(try tree("-a ** 2 == 1") == "((-(a ** 2)) == 1)")
        #expect(try tree("-2 ** 2 == 1") == "((-(2 ** 2)) == 1)")
        #expect(try tree("2 ** -1 == 1") == "((2 ** -1) == 1)")
        #expect(try tree("(a + b) * c == 1") == "(((a + b) * c) == 1)")
        #expect(try tree("- -a > 0") == "((-(-a)) > 0)")
    }

    @Test func logicalPrecedence() throws {
        #expect(try tree("a or b and c") == "(a or (b and c))")
        #expect(try tree("a and b or c and d") == "((a and b) or (c and d))")
        #expect(try tree("not a and b") == "((not a) and b)")
        #expect(try tree("!a || !b && c") == "((not a) or ((not b) and c))")
        #expect(try tree("not x > 1") == "(not (x > 1))")
        #expect(try tree("not x in [1]") == "(not (x in [1]))")
        #expect(try tree("x not in [1]") == "(x not in [1])")
        #expect(try tree("a > 1 and b like \"x%\" or c is not null") == "(((a > 1) and (b like \"x%\")) or (c is not null))")
    }

    @Test func postfixAndCalls() throws {
        #expect(try tree("m[\"a\"][0][\"b\"] == 1") == "(m[\"a\"][0][\"b\"] == 1)")
        #expect(try tree("ARRAY_LENGTH(t) + 1 > 2") == "((array_length(t) + 1) > 2)")
        #expect(try tree("exists m[\"k\"] and x") == "((exists m[\"k\"]) and x)")
        #expect(try tree("1 < x <= 2") == "((1 < x) and (x <= 2))")
        #expect(try tree("x in [1, -2, 3.5, \"s\", true,]") == "(x in [1,-2,3.5,\"s\",true])")
        #expect(try tree("$meta[\"k\"] == 'v'") == "($meta[\"k\"] == \"v\")")
    }

    @Test func lexerLiterals() throws {
        #expect(try tree("x == 0x1F") == "(x == 31)")
        #expect(try tree("x == 0B11") == "(x == 3)")
        #expect(try tree("x == 017") == "(x == 15)")
        #expect(try tree("x == 0") == "(x == 0)")
        #expect(try tree("x == 1e3") == "(x == 1000.0)")
        #expect(try tree("x == .25") == "(x == 0.25)")
        #expect(try tree("x == 2.") == "(x == 2.0)")
        #expect(try tree("x == -9223372036854775808") == "(x == -9223372036854775808)")
        #expect(try tree(#"x == "a\"b\u00e9\n""#) == "(x == \"a\"bé\n\")")
        #expect(try tree(#"x == 'it\'s'"#) == "(x == \"it's\")")
        #expect(try tree("x == True and y == FALSE") == "((x == true) and (y == false))")
        #expect(throws: FilterError.self) { try FilterParser.parse("x == 9223372036854775808") }
        #expect(throws: FilterError.self) { try FilterParser.parse("x == 08") }
        #expect(throws: FilterError.self) { try FilterParser.parse("x == 0x") }
        #expect(throws: FilterError.self) { try FilterParser.parse("x == 1e") }
        #expect(throws: FilterError.self) { try FilterParser.parse("x == \"\\u12\"") }
        #expect(throws: FilterError.self) { try FilterParser.parse("$other == 1") }
    }
}
