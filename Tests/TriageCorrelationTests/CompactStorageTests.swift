import Testing
import TriageClassification
@testable import TriageCorrelation
import TriageUnwrapping

/// The per-finding, per-occurrence and per-trace records are what a big input's report holds
/// hundreds of thousands of (253,550 findings in the 1 GiB benchmark): their sizes are part of
/// the report's memory bound, so a field that grows them fails here, not in a benchmark.
@Suite struct CompactStorageTests {
  @Test func recordSizes() {
    #expect(MemoryLayout<FindingStore.Record>.stride == 48)
    #expect(MemoryLayout<Occurrence>.stride == 40)
    #expect(MemoryLayout<TraceLogEvidence>.stride == 72)
    #expect(MemoryLayout<FindingIndexes>.size == 12)
  }

  @Test func chunkedArrayKeepsOrderAcrossChunksAndDrains() {
    var array = ChunkedArray<Int>()
    for value in 0..<10_000 { array.append(value * 3) }
    #expect(array.count == 10_000 && array[4_095] == 12_285 && array[4_096] == 12_288 && array.last == 29_997)
    array[5_000] = -1
    let drained = array.drainIntoArray()
    #expect(drained.count == 10_000 && drained[5_000] == -1 && drained[9_999] == 29_997)
    #expect(array.isEmpty)
  }

  @Test func findingIndexesKeepTheFirstInline() {
    var indexes: FindingIndexes = [7]
    #expect(Array(indexes) == [7])
    indexes.append(3)
    indexes += [11, 12]
    #expect(Array(indexes) == [7, 3, 11, 12] && indexes.last == 12)
    #expect(Array(FindingIndexes()) == [])
  }

  @Test func traceServicesKeepTheFirstFourDistinct() {
    var services = TraceServices()
    for id: ServiceTable.ID in [3, 3, 1, 4, 1, 5, 9] { services.insert(id) }
    #expect(Array(services) == [3, 1, 4, 5])
  }
}
