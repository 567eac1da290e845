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

  /// The table's own index (open addressing): keys that collide in the low and high bits,
  /// key 0, growth from empty and from a reservation, and absent keys all find what was stored.
  @Test func traceEvidenceTableFindsEveryKeyItStored() {
    // Multiples of 2^40 differ only in high bits; small numbers only in low bits; 0 is a key too.
    let keys: [UInt64] = [0] + (1...3_000).map { UInt64($0) << 40 } + (1...3_000).map { UInt64($0) }
    for reserved in [0, 100_000] {
      var table = TraceEvidenceTable()
      if reserved > 0 { table.reserve(reserved) }
      for (position, key) in keys.enumerated() {
        #expect(table.position(of: key) == nil)
        #expect(table.position(of: key, adding: TraceID(upperHalf: 7, lowerHalf: key)) == position)
      }
      #expect(table.count == keys.count)
      #expect(keys.indices.allSatisfy { table.position(of: keys[$0]) == $0 })
      #expect(keys.allSatisfy { table.position(of: $0, adding: TraceID(upperHalf: 0, lowerHalf: $0)) == table.position(of: $0) })
      #expect(table.count == keys.count)
      #expect(table.position(of: 3_001) == nil && table.position(of: 3_001 << 40) == nil && table[12_345]?.traceID == nil)
      #expect(table[3 << 40]?.traceID == TraceID(upperHalf: 7, lowerHalf: 3 << 40))
      #expect(table.map(\.key) == keys)
    }
  }

  @Test func traceServicesKeepTheFirstFourDistinct() {
    var services = TraceServices()
    for id: ServiceTable.ID in [3, 3, 1, 4, 1, 5, 9] { services.insert(id) }
    #expect(Array(services) == [3, 1, 4, 5])
  }
}
