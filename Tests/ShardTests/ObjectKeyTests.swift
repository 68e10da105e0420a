import Testing

@testable import Shard

@Suite struct ObjectKeyTests {
    @Test func acceptsTheDocumentedCharset() throws {
        for valid in ["a", "segments/12/vectors.bin", "A-Z_a.z=0-9", "x/y.z/w", String(repeating: "k", count: 255)] {
            #expect(try ObjectKey(valid).rawValue == valid)
        }
        #expect(try ObjectKey("a/b/c").components == ["a", "b", "c"])
        #expect(try ObjectKey("a") < ObjectKey("b"))
    }

    @Test func rejectsUnsafeOrAmbiguousKeys() {
        let invalid: [(String, String)] = [
            ("", "empty"), ("/etc/passwd", "relative"), ("a/../b", "starts with '.'"), ("..", "starts with '.'"),
            ("./a", "starts with '.'"), ("a//b", "empty component"), ("a/", "end with '/'"), ("a b", "0x20"),
            ("a\\b", "'\\'"), ("ü", "0xc3"), ("a/.hidden", "starts with '.'"), ("a\u{0}", "0x0"),
            (String(repeating: "k", count: 256), "component longer"), (String(repeating: "ab/", count: 400) + "c", "longer than 1024"),
        ]
        for (key, reason) in invalid {
            do {
                _ = try ObjectKey(key)
                Issue.record("'\(key)' was accepted")
            } catch {
                #expect("\(error)".contains(reason), "'\(key)': \(error)")
            }
        }
    }
}
