import Foundation
import Testing
@testable import Embedding

@Suite struct BertConfigurationTests {
    func load(_ json: String) throws(EmbeddingError) -> BertConfiguration {
        let path = NSTemporaryDirectory() + "vecnode-config-\(UUID().uuidString).json"
        FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try BertConfiguration.load(path: path)
    }

    @Test func readsMiniLMsConfig() throws {
        let c = try load(#"{"hidden_size":384,"num_attention_heads":12,"num_hidden_layers":6,"intermediate_size":1536,"layer_norm_eps":1e-12,"hidden_act":"gelu","max_position_embeddings":512,"vocab_size":30522,"type_vocab_size":2,"position_embedding_type":"absolute"}"#)
        #expect(c == BertConfiguration())
        #expect(c.headDimension == 32)
    }

    @Test(arguments: [
        #"{"hidden_act":"relu"}"#,
        #"{"position_embedding_type":"relative_key"}"#,
        #"{"hidden_size":100}"#,
        #"{"num_attention_heads":7}"#,
        #"{"hidden_size":384,"num_attention_heads":48}"#,
        #"{"num_hidden_layers":0}"#,
        #"{"vocab_size":"many"}"#,
        #"{"intermediate_size":1e12}"#,
        #"[1,2]"#,
        #"not json"#,
    ])
    func rejectsConfigurationsItCannotRun(json: String) {
        #expect(performing: { try load(json) },
                throws: { if case .invalidModel = $0 as? EmbeddingError { true } else { false } })
    }
}
