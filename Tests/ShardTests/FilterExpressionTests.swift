import Testing
import VecCore
@testable import Shard

@Suite struct FilterExpressionTests {
    let schema = SchemaFixtures.people
    let batch: RowBatch

    init() throws { batch = try SchemaFixtures.peopleBatch() }

    /// The ids (== row positions) matching `expr` on the fixture batch.
    func ids(_ expr: String) throws -> [Int] {
        let bits = try FilterExpression(expr, schema: schema).evaluate(on: batch)
        var out: [Int] = []
        bits.forEachSet { out.append($0) }
        return out
    }

    @Test func comparisonsOnIntegerColumn() throws {
        #expect(try ids("age == 35") == [1, 6])
        #expect(try ids("age != 35") == [0, 3, 4, 5, 7])  // row 2 is null: unknown, not a match
        #expect(try ids("age < 20") == [4, 5])
        #expect(try ids("age <= 20") == [0, 4, 5])
        #expect(try ids("age > 35") == [3, 7])
        #expect(try ids("age >= 35") == [1, 3, 6, 7])
        #expect(try ids("35 <= age") == [1, 3, 6, 7])  // constant on the left
    }

    @Test func integerColumnAgainstFloatConstant() throws {
        #expect(try ids("age < 20.5") == [0, 4, 5])
        #expect(try ids("age > 34.9") == [1, 3, 6, 7])
        #expect(try ids("age == 35.0") == [1, 6])
        #expect(try ids("age == 35.5") == [])
        #expect(try ids("age != 35.5") == [0, 1, 3, 4, 5, 6, 7])
        #expect(try ids("rank > 1e30") == [])
        #expect(try ids("rank < 1e30") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("rank >= -128") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("rank > 127") == [])
        #expect(try ids("rank == 300") == [])
    }

    @Test func floatingColumns() throws {
        #expect(try ids("score > 1.5") == [2, 6, 7])
        #expect(try ids("score >= 1.5") == [0, 2, 6, 7])
        #expect(try ids("ratio == 0.5") == [0, 1, 2, 3, 4, 5, 6, 7])  // default value applied
        #expect(try ids("score == age") == [6])  // column against column, Int32 vs Double
        #expect(try ids("score < age") == [0, 1, 4, 7])  // rows 2, 3, 5 have a null side
    }

    @Test func chainedComparisons() throws {
        #expect(try ids("20 < age < 50") == [1, 6])
        #expect(try ids("20 <= age <= 50") == [0, 1, 3, 6])
        #expect(try ids("50 > age > 20") == [1, 6])
        #expect(try ids("50 >= age >= 20") == [0, 1, 3, 6])
    }

    @Test func stringComparisons() throws {
        #expect(try ids("name == \"bob\"") == [1])
        #expect(try ids("name == 'bob'") == [1])
        #expect(try ids("name != \"bob\"") == [0, 2, 4, 5, 6, 7])  // row 3 null
        #expect(try ids("name < \"b\"") == [0, 4, 6])
        #expect(try ids("name >= \"carol\"") == [2, 5, 7])
        #expect(try ids("name == \"\"") == [6])
        #expect(try ids("name == \"Ärger\"") == [5])
        #expect(try ids("\"zed\" == name") == [7])
    }

    @Test func boolField() throws {
        #expect(try ids("active") == [0, 3, 6])
        #expect(try ids("active == true") == [0, 3, 6])
        #expect(try ids("active == False") == [1, 4])
        #expect(try ids("active != true") == [1, 4])
        #expect(try ids("not active") == [1, 4])
        #expect(try ids("!active") == [1, 4])
        #expect(try ids("active in [true]") == [0, 3, 6])
        #expect(try ids("active not in [true]") == [1, 4])
        #expect(try ids("(age > 30) == active") == [3, 4, 6])
    }

    @Test func inLists() throws {
        #expect(try ids("age in [5, 35, 99]") == [1, 4, 6])
        #expect(try ids("age not in [5, 35, 99]") == [0, 3, 5, 7])
        #expect(try ids("age in [35.0]") == [1, 6])
        #expect(try ids("age in []") == [])
        #expect(try ids("age not in []") == [0, 1, 2, 3, 4, 5, 6, 7])  // or-expansion of nothing: even null rows
        #expect(try ids("name in [\"bob\", \"zed\", \"nobody\"]") == [1, 7])
        #expect(try ids("name not in [\"bob\"]") == [0, 2, 4, 5, 6, 7])
        #expect(try ids("id IN [1, 3]") == [1, 3])
        #expect(try ids("id in [1, 3,]") == [1, 3])
    }

    @Test func like() throws {
        #expect(try ids("name like \"a%\"") == [0, 4])
        #expect(try ids("name like \"%b\"") == [1])
        #expect(try ids("name like \"%ro%\"") == [2])
        #expect(try ids("name like \"bob\"") == [1])
        #expect(try ids("name LIKE \"_ob\"") == [1])
        #expect(try ids("name like \"_rger\"") == [5])  // `_` is one character, even when it is 2 bytes
        #expect(try ids("name like \"a\\\\_b%\"") == [4])  // escaped `_` is literal
        #expect(try ids("name like \"%\\\\%%\"") == [4])  // escaped `%` is literal
        #expect(try ids("name like \"%\"") == [0, 1, 2, 4, 5, 6, 7])
        #expect(try ids("not name like \"a%\"") == [1, 2, 5, 6, 7])
        #expect(try ids("meta[\"lang\"] like \"e%\"") == [0, 7])
    }

    @Test func logicalOperatorsAndPrecedence() throws {
        #expect(try ids("age > 30 and score > 0") == [6, 7])
        #expect(try ids("age > 30 && score > 0") == [6, 7])
        #expect(try ids("age > 30 AND score > 0") == [6, 7])
        #expect(try ids("age < 10 or name == \"bob\"") == [1, 4, 5])
        #expect(try ids("age < 10 || name == \"bob\"") == [1, 4, 5])
        // and binds tighter than or
        #expect(try ids("id == 0 or id == 1 and id == 2") == [0])
        #expect(try ids("(id == 0 or id == 1) and id == 2") == [])
        // not binds tighter than and
        #expect(try ids("not id == 0 and id < 3") == [1, 2])
        #expect(try ids("not (id == 0 and id < 3)") == [1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("not not id == 1") == [1])
        #expect(try ids("NOT id >= 2") == [0, 1])
    }

    @Test func arithmeticAndItsPrecedence() throws {
        #expect(try ids("age + 5 == 40") == [1, 6])
        #expect(try ids("age - 5 * 2 == 25") == [1, 6])  // * before -
        #expect(try ids("(age - 5) * 2 == 60") == [1, 6])
        #expect(try ids("age % 2 == 0") == [0, 3, 7])
        #expect(try ids("age / 10 == 3") == [1, 6])  // integer division truncates
        #expect(try ids("age / 10.0 == 3.5") == [1, 6])
        #expect(try ids("-age > 0") == [5])
        #expect(try ids("age * score > 100") == [6, 7])
        #expect(try ids("2 ** 3 == 8 and id == 1") == [1])
        #expect(try ids("-2 ** 2 == -4 and id == 1") == [1])  // ** binds tighter than unary minus
        #expect(try ids("id * 0 == 0") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("age / (id - 1) > 0") == [0, 3, 4, 6, 7].filter { $0 != 0 } + [])  // id 1: divide by zero → unknown
    }

    @Test func divisionByZeroIsUnknown() throws {
        #expect(try ids("age / (id - id) == 0") == [])
        #expect(try ids("not (age % (id - id) == 0)") == [])
        #expect(throws: FilterError.self) { try FilterExpression("age > 1 / 0", schema: schema) }
    }

    @Test func jsonPaths() throws {
        #expect(try ids("meta[\"lang\"] == \"en\"") == [0, 7])
        #expect(try ids("meta[\"lang\"] != \"en\"") == [1])  // non-strings and missing keys are unknown
        #expect(try ids("meta[\"lang\"] == 3") == [3])
        #expect(try ids("meta[\"n\"] > 5") == [1])
        #expect(try ids("meta[\"n\"] >= 5") == [0, 1])
        #expect(try ids("meta[\"n\"] + 1 == 0") == [7])
        #expect(try ids("meta[\"nested\"][\"x\"] == 1") == [1])
        #expect(try ids("meta[\"tags\"][0] == \"a\"") == [0])
        #expect(try ids("meta[\"tags\"][1] == \"x\"") == [4])
        #expect(try ids("meta[0] == 1") == [6])
        #expect(try ids("meta[\"lang\"] in [\"fr\", 3]") == [1, 3])
        #expect(try ids("meta[\"lang\"] not in [\"fr\"]") == [0, 7])
    }

    @Test func dynamicFieldKeys() throws {
        #expect(try ids("city == \"Paris\"") == [0, 4])
        #expect(try ids("$meta[\"city\"] == \"Paris\"") == [0, 4])
        #expect(try ids("count > 5") == [3])
        #expect(try ids("city is null") == [2, 3, 5, 6])
        #expect(try ids("exists $meta[\"count\"]") == [3, 4])
    }

    @Test func jsonFunctions() throws {
        #expect(try ids("json_contains(meta[\"tags\"], \"b\")") == [0])
        #expect(try ids("JSON_CONTAINS(meta[\"tags\"], 1)") == [4])
        #expect(try ids("json_contains_all(meta[\"tags\"], [\"a\", \"b\"])") == [0])
        #expect(try ids("json_contains_all(meta[\"tags\"], [\"a\", \"x\"])") == [])
        #expect(try ids("json_contains_any(meta[\"tags\"], [\"a\", \"x\"])") == [0, 4])
        #expect(try ids("json_contains(meta, 2)") == [6])
        #expect(try ids("exists meta[\"lang\"]") == [0, 1, 3, 5, 7])
        #expect(try ids("EXISTS meta[\"nested\"][\"x\"]") == [1])
        #expect(try ids("array_length(meta[\"tags\"]) == 2") == [0, 4])
    }

    @Test func arrayFunctionsAndElements() throws {
        #expect(try ids("array_contains(tags, \"red\")") == [0, 4, 7])
        #expect(try ids("ARRAY_CONTAINS(nums, 3)") == [0, 3])
        #expect(try ids("array_contains(nums, 3.0)") == [0, 3])
        #expect(try ids("array_contains(nums, 3.5)") == [])
        #expect(try ids("array_contains_all(tags, [\"red\", \"blue\"])") == [0, 7])
        #expect(try ids("array_contains_any(tags, [\"green\", \"blue\"])") == [0, 1, 7])
        #expect(try ids("array_contains_any(nums, [])") == [])
        #expect(try ids("array_contains_all(nums, [])") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("not array_contains(tags, \"red\")") == [1, 3])  // rows 2, 5, 6 are null
        #expect(try ids("array_length(tags) == 0") == [3])
        #expect(try ids("array_length(nums) >= 3") == [0, 6])
        #expect(try ids("tags[0] == \"red\"") == [0, 4])
        #expect(try ids("tags[1] like \"r%\"") == [7])
        #expect(try ids("nums[1] > 2") == [3, 6])
        #expect(try ids("nums[5] > 2 or nums[5] <= 2") == [])  // out of range is unknown
        #expect(try ids("json_contains(tags, \"green\")") == [1])  // json_contains also takes arrays
    }

    @Test func longTargetListsAreHashed() throws {
        let many = (200..<230).map(String.init).joined(separator: ", ")
        #expect(try ids("array_contains_any(nums, [\(many), 3, 100])") == [0, 3, 6])
        #expect(try ids("array_contains_all(nums, [\(many)])") == [])
        #expect(try ids("array_contains_all(nums, [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3])") == [0])
        let words = (0..<20).map { "\"w\($0)\"" }.joined(separator: ", ")
        #expect(try ids("array_contains_any(tags, [\(words), \"green\"])") == [1])
        #expect(try ids("array_contains_any(nums, [\(many), 2.5, 10.0])") == [6])
        #expect(try ids("array_contains_all(nums, [3, 3.5])") == [])
    }

    @Test func nullHandling() throws {
        #expect(try ids("age is null") == [2])
        #expect(try ids("age IS NOT NULL") == [0, 1, 3, 4, 5, 6, 7])
        #expect(try ids("name is null") == [3])
        #expect(try ids("meta is null") == [2])
        #expect(try ids("tags is null") == [2, 5, 6])  // null or omitted
        #expect(try ids("id is null") == [])
        #expect(try ids("meta[\"lang\"] is null") == [2, 4, 5, 6])  // missing key, JSON null, null column
        #expect(try ids("meta[\"lang\"] is not null") == [0, 1, 3, 7])
        // Unknown never matches, not even negated.
        #expect(try ids("age > 10") == [0, 1, 3, 6, 7])
        #expect(try ids("not (age > 10)") == [4, 5])
        // Kleene logic: false and unknown = false (so its negation matches); true or unknown = true.
        #expect(try ids("not (age > 10 and id == 0)") == [1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("age > 10 or id == 2") == [0, 1, 2, 3, 6, 7])
        #expect(try ids("not (age > 10 or id == 2)") == [4, 5])
        #expect(try ids("age is null or age > 60") == [2, 7])
    }

    @Test func literalForms() throws {
        #expect(try ids("id == 0x3") == [3])
        #expect(try ids("id == 0b101") == [5])
        #expect(try ids("id == 07") == [7])  // leading zero: octal, as in Milvus
        #expect(try ids("score == .5e1") == [])
        #expect(try ids("score == 2.5") == [7])
        #expect(try ids("age == -7") == [5])
        #expect(try ids("id > -9223372036854775808") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("true") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("FALSE or id == 1") == [1])
        #expect(try ids("name == \"tab\\there\"") == [])
        #expect(try ids("1 < 2") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try FilterExpression("1 > 2 or 2 > 3", schema: schema).isAlwaysFalse)
        #expect(try FilterExpression("1 + 1 == 2", schema: schema).isAlwaysTrue)
    }

    @Test func templateParameters() throws {
        let params: [String: FieldValue] = [
            "age": .int(30), "names": .array([.string("bob"), .string("zed")]), "p": .string("a%"), "f": .double(1.5),
            "flag": .bool(true), "obj": .object([:]), "empty": .array([]),
        ]
        func ids(_ text: String) throws -> [Int] {
            let bits = try FilterExpression(text, schema: schema, parameters: params).evaluate(on: batch)
            var out: [Int] = []
            bits.forEachSet { out.append($0) }
            return out
        }
        #expect(try ids("age > {age}") == [1, 3, 6, 7])
        #expect(try ids("name in {names}") == [1, 7])
        #expect(try ids("name not in {empty}") == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try ids("name like {p}") == [0, 4])
        #expect(try ids("score >= {f} and active == {flag}") == [0, 6])
        #expect(try ids("array_contains_any(tags, {names})") == [])
        do {
            _ = try FilterExpression("meta == {obj}", schema: schema, parameters: params)
            Issue.record("an object parameter must be rejected")
        } catch {
            #expect(error.kind == .typeMismatch && error.position == 8)
        }
        do {
            _ = try FilterExpression("name like {age}", schema: schema, parameters: params)
            Issue.record("a numeric like pattern must be rejected")
        } catch {
            #expect(error.kind == .typeMismatch && error.position == 10)
        }
    }

    @Test func referencedColumns() throws {
        let f = try FilterExpression("age > 1 and city == \"x\" or array_length(tags) > 0", schema: schema)
        #expect(f.referencedColumns == ["$meta", "age", "tags"])
    }

    @Test func sourceMismatchIsReported() throws {
        struct Empty: ColumnarSource {
            var rowCount: Int { 3 }
            func column(named name: String) -> Column? { nil }
        }
        let f = try FilterExpression("age > 1", schema: schema)
        #expect {
            try f.evaluate(on: Empty())
        } throws: { ($0 as? FilterError)?.kind == .sourceMismatch }
    }

    // MARK: - Errors

    struct BadExpression: CustomTestStringConvertible {
        let text: String
        let position: Int
        let kind: FilterError.Kind
        let messagePrefix: String
        var testDescription: String { text }
    }

    static let malformed: [BadExpression] = [
        .init(text: "age > )", position: 6, kind: .syntax, messagePrefix: "unexpected token ')'"),
        .init(text: "age >", position: 5, kind: .syntax, messagePrefix: "unexpected end of expression"),
        .init(text: "(age > 1", position: 8, kind: .syntax, messagePrefix: "unexpected end of expression, expected ')'"),
        .init(text: "age > 1)", position: 7, kind: .syntax, messagePrefix: "unexpected token ')'"),
        .init(text: "age > 1 and", position: 11, kind: .syntax, messagePrefix: "unexpected end"),
        .init(text: "name == \"abc", position: 8, kind: .syntax, messagePrefix: "unterminated string"),
        .init(text: "age in 5", position: 7, kind: .syntax, messagePrefix: "unexpected token '5', expected a list"),
        .init(text: "age # 3", position: 4, kind: .syntax, messagePrefix: "unexpected character '#'"),
        .init(text: "1 < age > 3", position: 8, kind: .syntax, messagePrefix: "comparison '>' cannot be chained"),
        .init(text: "age == 1 == 2", position: 9, kind: .syntax, messagePrefix: "comparison '==' cannot be chained"),
        .init(text: "", position: 0, kind: .syntax, messagePrefix: "empty expression"),
        .init(text: "name like 5", position: 10, kind: .syntax, messagePrefix: "unexpected token '5', expected a string pattern"),
        .init(text: "age is nul", position: 7, kind: .syntax, messagePrefix: "unexpected token 'nul'"),
        .init(text: "12abc > 1", position: 2, kind: .syntax, messagePrefix: "malformed number"),
        .init(text: "id == 99999999999999999999", position: 6, kind: .syntax, messagePrefix: "integer '99999999999999999999' is out of range"),
        .init(text: "array_contains(tags)", position: 0, kind: .syntax, messagePrefix: "array_contains takes 2 arguments"),
        .init(text: "foo(1)", position: 0, kind: .syntax, messagePrefix: "unknown function 'foo'"),
        .init(text: "Array_Contains(tags, \"a\")", position: 0, kind: .syntax, messagePrefix: "unknown function 'Array_Contains'"),
        .init(text: "age > 1 And age < 5", position: 8, kind: .syntax, messagePrefix: "unexpected token 'And'"),  // mixed-case keyword
        .init(text: "text_match(name, \"x\")", position: 0, kind: .unsupported, messagePrefix: "function 'text_match'"),
        .init(text: "age & 1 == 1", position: 4, kind: .unsupported, messagePrefix: "operator '&'"),
        .init(text: "age > {x}", position: 6, kind: .syntax, messagePrefix: "template parameter {x} has no value in exprParams"),
        .init(text: "age > {1x}", position: 6, kind: .syntax, messagePrefix: "malformed template parameter"),
        // Semantic errors also point at their position.
        .init(text: "name > 5", position: 5, kind: .typeMismatch, messagePrefix: "cannot compare VarChar field 'name' with an integer literal"),
        .init(text: "age + name > 1", position: 6, kind: .typeMismatch, messagePrefix: "'+' needs numbers"),
        .init(text: "name like \"" + String(repeating: "%a", count: 2049) + "\"", position: 5, kind: .syntax, messagePrefix: "'like' pattern is longer than 4096 bytes"),
        .init(text: "age like \"a%\"", position: 4, kind: .typeMismatch, messagePrefix: "'like' needs"),
        .init(text: "age > 1 and rank", position: 12, kind: .typeMismatch, messagePrefix: "an operand of 'and' must be boolean"),
        .init(text: "vec > 1", position: 0, kind: .typeMismatch, messagePrefix: "vector field 'vec'"),
        .init(text: "age in [1, \"x\"]", position: 7, kind: .typeMismatch, messagePrefix: "'in' list has string"),
        .init(text: "array_contains(nums, \"x\")", position: 21, kind: .typeMismatch, messagePrefix: "array_contains on Array<Int64>"),
        .init(text: "active < true", position: 7, kind: .typeMismatch, messagePrefix: "booleans can only be compared"),
        .init(text: "age", position: 0, kind: .typeMismatch, messagePrefix: "a filter expression must be boolean"),
        .init(text: "exists age", position: 0, kind: .typeMismatch, messagePrefix: "'exists' needs a JSON path"),
        .init(text: "name[0] == 1", position: 4, kind: .typeMismatch, messagePrefix: "cannot subscript VarChar field 'name'"),
    ]

    @Test(arguments: malformed)
    func errorsCarryPositions(_ bad: BadExpression) {
        do {
            _ = try FilterExpression(bad.text, schema: schema)
            Issue.record("expected an error for \(bad.text)")
        } catch {
            #expect(error.position == bad.position, "\(error)")
            #expect(error.kind == bad.kind, "\(error)")
            #expect(error.message.hasPrefix(bad.messagePrefix), "\(error.message)")
        }
    }

    @Test func unknownFieldWithoutDynamicField() {
        var s = schema
        s.enableDynamicField = false
        do {
            _ = try FilterExpression("age > 1 and city == \"x\"", schema: s)
            Issue.record("expected an unknown-field error")
        } catch {
            #expect(error.kind == .unknownField)
            #expect(error.position == 12)
            #expect(error.message == "unknown field 'city'")
        }
    }

    @Test func caretDiagram() {
        do {
            _ = try FilterExpression("age > )", schema: schema)
        } catch {
            #expect(error.description == "unexpected token ')' at 6: age > )\n" + String(repeating: " ", count: 27 + 6) + "^")
        }
    }

    @Test func longChainsStayShallow() throws {
        let ors = (0..<20_000).map { "id == \($0 % 8)" }.joined(separator: " or ")
        #expect(try ids(ors) == [0, 1, 2, 3, 4, 5, 6, 7])
        let ands = (0..<20_000).map { _ in "age > 1" }.joined(separator: " && ")
        #expect(try ids(ands) == [0, 1, 3, 4, 6, 7])
        let sums = "age" + String(repeating: " + 1", count: 150) + " > 160"
        #expect(try ids(sums) == [0, 1, 3, 6, 7])
        let longSum = "age" + String(repeating: " + 1", count: 20_000) + " > 0"
        #expect(throws: FilterError.self) { try FilterExpression(longSum, schema: schema) }
        let longProduct = "age" + String(repeating: " * 1", count: 20_000) + " > 0"
        #expect(throws: FilterError.self) { try FilterExpression(longProduct, schema: schema) }
        let bigList = "id in [" + (0..<100_000).map(String.init).joined(separator: ",") + "]"
        #expect(try ids(bigList) == [0, 1, 2, 3, 4, 5, 6, 7])
    }

    @Test func deepNestingIsRejectedNotCrashing() {
        let deep = String(repeating: "(", count: 5000) + "age > 1" + String(repeating: ")", count: 5000)
        #expect(throws: FilterError.self) { try FilterExpression(deep, schema: schema) }
        let nots = String(repeating: "not ", count: 5000) + "active"
        #expect(throws: FilterError.self) { try FilterExpression(nots, schema: schema) }
    }
}
