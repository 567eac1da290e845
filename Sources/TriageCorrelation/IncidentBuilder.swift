import TriageAssembly
import TriageInput
import TriageClassification
import TriageUnwrapping

/// Groups findings into incidents: one crash's evidence into one occurrence, occurrences of one
/// kind on one service into an incident (split by quiet gaps), with a severity from runbook
/// escalation rules, the restarts that followed, the incident it follows from, and the traces
/// that died in it.
///
/// Rules (each threshold is a property):
/// - **Occurrence:** findings of one service within ``occurrenceWindow`` of a crash finding
///   (`oom`, `segfault`, `killed`), its supervisor's restart line included, are that crash,
///   with its most specific category; a kernel OOM report (service `kernel`) joins the crash
///   of the service killed within the window, else belongs to its pod (by cgroup UID) or its
///   victim; a child's crash belongs to the child. A stop's lines are one occurrence. Undated
///   evidence a few lines apart in one source is one occurrence, and evidence of its
///   instance's latest dated crash or stop when there is one. Copies of a line read through
///   two files count once.
/// - **Incident:** crashes group by service (replicas together: `worker-1`, `worker-2` are
///   `worker`) and category; other findings also by fingerprint. A gap longer than
///   ``quietGap`` starts a new incident.
/// - **Severity:** every instance of a service of two or more down at once (process deaths,
///   for ``allDownFor``) → `critical`; at least
///   ``crashLoopCount`` crashes within ``crashLoopWindow`` → `high`; a crash, a crash loop
///   message, a deadlock, missing configuration or binary, stale heartbeats → `medium`;
///   connection refused, timeouts, tracebacks → `medium` from ``crashLoopCount`` occurrences,
///   else `low`, and `high` when the process exited on one and stayed down to the end of the
///   logs; graceful terminations → `info`.
/// - **Cause:** a later incident follows from the earliest crash or stop of another service
///   when it is a refused connection naming that service (host or dependency), or a timeout
///   naming it, starting at most ``causeLead`` before it and while it was down. Every link
///   carries its evidence.
/// - Complexity: O(f log f) for f findings (the copy search: O(k log k) for those with text).
public struct IncidentBuilder {
  public var occurrenceWindow: Int64 = 10_000
  public var quietGap: Int64 = 60 * 60_000
  public var crashLoopCount = 3
  public var crashLoopWindow: Int64 = 60 * 60_000
  /// How long a consequence may appear after its cause recovered (milliseconds).
  public var causeGrace: Int64 = 5 * 60_000
  /// How far before the cause's first time a consequence may start (clock skew between sources).
  public var causeLead: Int64 = 5_000

  public init() {}

  /// The incidents of a run, most severe first (then by first seen). `traces` get the ids of
  /// the incidents they died in.
  public func build(
    findings: FindingStore, serviceName: (ServiceTable.ID) -> String,
    activity: [ServiceTable.ID: ServiceRecord], traces: inout [TraceAnalysis]
  ) -> [Incident] {
    func name(_ finding: CorrelatedFinding) -> String { finding.service.map(serviceName) ?? finding.namedService ?? "?" }
    var groups = occurrences(findings, name: name)
    var incidents = group(&groups, findings: findings)
    // Restarts: the instances' first lines after their crashes, within the incident.
    var restartsByService: [String: [Timestamp]] = [:]
    var startsByService: [String: [Timestamp]] = [:]
    // The last time any service logged: how long a service that died stayed down, at least.
    let logsEnd = activity.values.compactMap(\.lastSeen).max()
    var instancesByService: [String: Set<String>] = [:]
    for (id, record) in activity {
      let instance = serviceName(id)
      restartsByService[instance] = record.restarts
      startsByService[instance] = record.sourceStarts.sorted()
      instancesByService[ServiceName.normalized(instance), default: []].insert(instance)
    }
    for index in incidents.indices
    where incidents[index].category.isProcessDeath
      || incidents[index].occurrences.contains(where: { $0.findingIndexes.contains { findings[$0].endedProcess } })
    {
      // Each crash's restart: its instance's first line after it, before the next crash.
      let occurrences = incidents[index].occurrences
      var restarts: [Timestamp] = []
      for (position, occurrence) in occurrences.enumerated() {
        // An exception the process survived (a MemoryError in a task) has no restart.
        guard let time = occurrence.time, occurrence.findingIndexes.contains(where: { findings[$0].isCrash || findings[$0].endedProcess })
        else { continue }
        // A crash told by the restarted process itself (postgres's `not properly shut down`):
        // that line is the restart.
        if occurrence.findingIndexes.allSatisfy({ findings[$0].role == .toldOnRestart }) {
          restarts.append(time)
          continue
        }
        // The instance's first line after its crash; when its own lines showed no crash (the
        // kernel's report did), the first line of a later log file of it.
        var candidates = restartsByService[occurrence.service] ?? []
        if candidates.partitioningIndex(where: { $0 > time }) == candidates.count { candidates = startsByService[occurrence.service] ?? [] }
        let after = candidates.partitioningIndex { $0 > time }
        guard after < candidates.count else { continue }
        let restart = candidates[after]
        // Not past this instance's next crash (that restart belongs to it).
        let next = occurrences[(position + 1)...].first { $0.service == occurrence.service }?.time
        if next == nil || restart <= next! { restarts.append(restart) }
      }
      incidents[index].restarts = restarts.sorted()
    }
    for index in incidents.indices {
      (incidents[index].severity, incidents[index].severityReason) = severity(
        of: incidents[index], instances: instancesByService[ServiceName.normalized(incidents[index].service)] ?? [], findings: findings,
        restartsByService: restartsByService, logsEnd: logsEnd)
    }
    // An error the process exited on (an unhandled rejection, an uncaught exception) is fixed
    // where it is raised, whatever refused or failed.
    for index in incidents.indices where !incidents[index].category.isProcessDeath && incidents[index].category != .terminated {
      guard incidents[index].occurrences.contains(where: { $0.findingIndexes.contains { findings[$0].endedProcess } }) else { continue }
      incidents[index].next = "The process exited on this error: handle it where it is raised (an unhandled rejection or uncaught exception stops the worker) and run the worker with a restart policy. "
        + incidents[index].next
    }
    incidents.sort { left, right in
      if left.severity != right.severity { return left.severity > right.severity }
      let (a, b) = (left.firstSeen ?? Timestamp(millisecondsSinceEpoch: .max), right.firstSeen ?? Timestamp(millisecondsSinceEpoch: .max))
      if a != b { return a < b }
      // Same moment: the order of the evidence (stable output for the same input).
      return left.occurrences[0].findingIndexes[0] < right.occurrences[0].findingIndexes[0]
    }
    for index in incidents.indices { incidents[index].id = "I\(index + 1)" }
    linkCauses(&incidents, findings: findings)
    tieTraces(&incidents, traces: &traces)
    return incidents
  }

  // MARK: Occurrences

  /// Occurrences of one kind: one incident's, before quiet gaps split them.
  struct GroupKey: Hashable {
    let service: String
    let category: CrashCategory
    let fingerprint: String
  }

  /// The run's occurrences, each in its group as it is completed (they are never all held in
  /// one array as well), and the groups in the order they were first seen.
  struct Groups {
    /// In chunks: a group grows without copying what it holds.
    var members: [GroupKey: ChunkedArray<Occurrence>] = [:]
    var keys: [GroupKey] = []

    /// Adds `occurrence` to its group; returns where it is.
    mutating func add(_ occurrence: Occurrence, key: GroupKey) -> Int {
      if members[key] == nil { keys.append(key) }
      members[key, default: ChunkedArray()].append(occurrence)
      return members[key]!.count - 1
    }
  }

  /// The group of an occurrence: its service (replicas together), category and fingerprint;
  /// refused connections and timeouts by what refused (a generic and a driver's signature of
  /// the same outage have different fingerprints); deaths and stops of a service are one story
  /// whatever their wording.
  func groupKey(of occurrence: Occurrence, findings: FindingStore) -> GroupKey {
    let dependency = occurrence.category == .connectionRefused || occurrence.category == .timeout
      ? occurrence.findingIndexes.lazy.compactMap { findings[$0].captures["dependency"] }.first : nil
    let fingerprint = occurrence.category.isProcessDeath || occurrence.category == .terminated
      ? "" : dependency.map { "dependency:" + $0 } ?? findings[occurrence.findingIndexes[0]].fingerprint
    return GroupKey(service: ServiceName.normalized(occurrence.service), category: occurrence.category, fingerprint: fingerprint)
  }

  /// An occurrence happened when its timed evidence says (a line without a time only has its
  /// source's last time before it).
  func settleTime(of occurrence: inout Occurrence, findings: FindingStore) {
    var earliest: Timestamp?
    for index in occurrence.findingIndexes where !findings[index].timeIsInferred {
      if let time = findings[index].time { earliest = min(earliest ?? time, time) }
    }
    if let earliest { occurrence.time = earliest }
  }

  func occurrences(_ findings: FindingStore, name: (CorrelatedFinding) -> String) -> Groups {
    // Kernel OOM reports first find the crash they explain.
    var owner = Owners(findings.lazy.map(name))
    let records = findings.records
    let serviceCrashes = findings.indices.filter {
      records[$0].category.isProcessDeath && owner[$0] != "kernel" && owner[$0] != "?" && records[$0].time != .min
    }.sorted { records[$0].time != records[$1].time ? records[$0].time < records[$1].time : $0 < $1 }
    for index in findings.indices where records[index].category == .oom && (owner[index] == "kernel" || owner[index] == "?") {
      guard let time = findings[index].time?.millisecondsSinceEpoch else { continue }
      let nearest = serviceCrashes.nearest(
        to: time, within: occurrenceWindow, time: { findings[$0].time!.millisecondsSinceEpoch },
        where: { candidate in
          // A crash dated by `describe`'s `Finished:` happened in that second: it explains a
          // report within it, not within ten (another pod may have died in between).
          let crash = findings[candidate]
          return !crash.timeIsFromBlock || abs(time - crash.time!.millisecondsSinceEpoch) <= 1_000
        })
      if let nearest { owner[index] = owner[nearest] }
    }
    // One kernel OOM report that no service's crash explains (its `invoked oom-killer`, memory
    // dump, `oom-kill:` and `Killed process` lines, within a second) belongs to its pod, when
    // kubelet named the pod's UID anywhere (`pod_ns(uid)`), else to its victim process.
    var podOfUID: [String: String] = [:]
    for index in findings.indices where records[index].captures >= 0 {
      if let reference = findings[index].captures["pod"], let uid = PodReference.uid(reference) { podOfUID[uid] = PodReference.name(reference) }
    }
    let unexplained = findings.indices.filter { owner[$0] == "kernel" && findings[$0].category == .oom && findings[$0].time != nil }
      .sorted { findings[$0].time! != findings[$1].time! ? findings[$0].time! < findings[$1].time! : $0 < $1 }
    var report: [Int] = []
    func assignVictim() {
      let pod = report.lazy.compactMap { findings[$0].captures["pod_uid"] }.compactMap { podOfUID[$0] }.first
      let victim = pod ?? report.lazy.filter { findings[$0].role != .oomReportStart }.compactMap { findings[$0].captures["process"] }.first
        ?? report.lazy.compactMap({ findings[$0].captures["process"] }).first
      if let victim, !victim.isEmpty { for index in report { owner[index] = victim } }
      report.removeAll()
    }
    for index in unexplained {
      // A report opens with `invoked oom-killer`; without one, a second's gap ends it.
      if let last = report.last,
        findings[index].role == .oomReportStart
          || findings[index].time!.millisecondsSinceEpoch - findings[last].time!.millisecondsSinceEpoch > 1_000
      {
        assignVictim()
      }
      report.append(index)
    }
    assignVictim()
    // A process death the kernel reports and no service's crash explains (`ffmpeg[4120]:
    // segfault at …` of a worker's child) belongs to the process it names, not to `kernel`,
    // whose next lines are no restart; so does a child's crash its parent reports (`ffmpeg
    // exited with code null, signal SIGSEGV`): the parent lives on.
    for index in findings.indices where records[index].category.isProcessDeath {
      if let child = findings[index].captures["child"], !child.isEmpty {
        owner[index] = child
      } else if owner[index] == "kernel", let process = findings[index].captures["process"], !process.isEmpty {
        owner[index] = process
      }
    }
    // By owner, then time (undated first), then order of reading: integer keys, not strings.
    let rankOfOwner = owner.ranks()
    var order = (0..<Int32(findings.count)).map { $0 }
    order.sort { left, right in
      let (a, b) = (rankOfOwner[owner.id(Int(left))], rankOfOwner[owner.id(Int(right))])
      if a != b { return a < b }
      let (t, u) = (records[Int(left)].time, records[Int(right)].time)
      return t != u ? t < u : left < right
    }
    let copies = Self.copies(findings, owner: owner)
    // Where the originals of copies went, to add their copies there.
    let originals = Set(copies.values)
    var placeOfOriginal: [Int: (key: GroupKey, position: Int)] = [:]
    var groups = Groups()
    // The last occurrence, still taking evidence while it is a crash or a stop (`open`).
    var result: [Occurrence] = []
    var open: Int?
    func complete() {
      guard var occurrence = result.popLast() else { return }
      settleTime(of: &occurrence, findings: findings)
      let key = groupKey(of: occurrence, findings: findings)
      let position = groups.add(occurrence, key: key)
      for index in occurrence.findingIndexes where originals.contains(index) { placeOfOriginal[index] = (key, position) }
    }
    for position in order where copies[Int(position)] == nil {
      let index = Int(position)
      let finding = findings[index]
      let service = owner[index]
      if let current = open, result[current].service == service, result[current].category != .terminated,
        let start = result[current].time, let time = finding.time,
        time.millisecondsSinceEpoch - start.millisecondsSinceEpoch <= occurrenceWindow,
        finding.category.isProcessDeath || finding.category == .traceback || finding.category == .crashloop
      {
        result[current].findingIndexes.append(index)
        if finding.category < result[current].category && finding.category != .traceback {
          result[current].category = finding.category
        }
        continue
      }
      // Undated evidence of one crash (a `kubectl describe` block: `Reason: OOMKilled`, `Exit
      // Code: 137`, `Restart Count: 3`) is a few lines of one source apart.
      if let current = open, result[current].service == service, result[current].time == nil, finding.time == nil,
        let last = result[current].findingIndexes.last, findings[last].source == finding.source,
        finding.line - findings[last].line <= 6,
        finding.category.isProcessDeath || finding.category == .crashloop
      {
        result[current].findingIndexes.append(index)
        if finding.category < result[current].category { result[current].category = finding.category }
        continue
      }
      // One stop, one occurrence: the supervisor's `Stopping …` and the process's own
      // `received SIGTERM` lines of the same stop.
      if let current = open, result[current].service == service, result[current].category == .terminated,
        finding.category == .terminated, let start = result[current].time, let time = finding.time,
        time.millisecondsSinceEpoch - start.millisecondsSinceEpoch <= occurrenceWindow
      {
        result[current].findingIndexes.append(index)
        continue
      }
      complete()
      result.append(Occurrence(service: service, time: finding.time, category: finding.category, findingIndexes: [index]))
      open = finding.category.isProcessDeath || finding.category == .terminated ? result.count - 1 : nil
    }
    complete()
    // A copy is evidence of the occurrence its original is in (which may then be dated by the
    // copy's own time).
    for (copy, original) in copies.sorted(by: { $0.key < $1.key }) {
      guard let place = placeOfOriginal[original] else { continue }
      groups.members[place.key]![place.position].findingIndexes.append(copy)
      settleTime(of: &groups.members[place.key]![place.position], findings: findings)
    }
    return groups
  }

  /// How far apart two copies of a line may be dated when one has no time of its own (its
  /// time is its source's previous line's, a lower bound).
  static var inferredCopyWindow: Int64 { 5 * 60_000 }

  /// Findings that are copies of another: the same line read twice through different files
  /// (a `docker compose logs` capture and the kubelet's files of the same container): same
  /// text, signature and instance (or one instance under compose's and kubelet's names), from
  /// another source, within a second (within ``inferredCopyWindow`` when one of them has no time
  /// of its own). Only findings that kept their text (the first 5,000 and the exemplars) can be
  /// told copies.
  /// - Returns: copy → original.
  /// - Complexity: O(k log k) for the k findings with text.
  static func copies(_ findings: FindingStore, owner: Owners) -> [Int: Int] {
    struct Key: Hashable {
      let signature: String
      let text: String
    }
    // Originals with a time of their own (searched back one second) and without one (their
    // real time is later than the one they carry: searched back ``inferredCopyWindow``).
    var seen: [Key: [Int]] = [:]
    var seenUndated: [Key: [Int]] = [:]
    var copies: [Int: Int] = [:]
    let timed = findings.indices.filter { findings[$0].time != nil && !findings[$0].text.isEmpty }
      .sorted { findings[$0].time! != findings[$1].time! ? findings[$0].time! < findings[$1].time! : $0 < $1 }
    for index in timed {
      let finding = findings[index]
      let key = Key(signature: finding.signature, text: finding.text)
      let time = finding.time!.millisecondsSinceEpoch
      // Newest first; each list is in time order, so the search stops past its window.
      func search(_ originals: [Int], within window: Int64) -> Int? {
        for original in originals.reversed() {
          guard time - findings[original].time!.millisecondsSinceEpoch <= window else { break }
          if !findings[original].hasSameSource(as: finding) && Self.sameInstance(owner[original], owner[index]) { return original }
        }
        return nil
      }
      if let original = search(seen[key] ?? [], within: 1_000) ?? search(seenUndated[key] ?? [], within: Self.inferredCopyWindow) {
        copies[index] = copies[original] ?? original
      } else if finding.timeIsInferred {
        seenUndated[key, default: []].append(index)
      } else {
        seen[key, default: []].append(index)
      }
    }
    return copies
  }

  /// Each finding's owner (the service or process it is evidence of): an id per finding, each
  /// distinct name once (a run has a handful of owners and may have a million findings).
  struct Owners {
    private var ids: [Int32]
    private var names: [String] = []
    private var idOfName: [String: Int32] = [:]

    init(_ initial: some Collection<String>) {
      ids = []
      ids.reserveCapacity(initial.count)
      for name in initial { ids.append(intern(name)) }
    }

    private mutating func intern(_ name: String) -> Int32 {
      if let id = idOfName[name] { return id }
      names.append(name)
      idOfName[name] = Int32(names.count - 1)
      return Int32(names.count - 1)
    }

    subscript(index: Int) -> String {
      get { names[Int(ids[index])] }
      set { ids[index] = intern(newValue) }
    }

    /// The owner id of finding `index`.
    func id(_ index: Int) -> Int { Int(ids[index]) }

    /// Each owner id's rank in the names' sorted order.
    func ranks() -> [Int] {
      var rank = [Int](repeating: 0, count: names.count)
      for (position, id) in names.indices.sorted(by: { names[$0] < names[$1] }).enumerated() { rank[id] = position }
      return rank
    }
  }

  /// Whether two owners can be one instance: the same name, one name under compose and
  /// kubelet (`worker-1`, `worker-7d9f8b6c5-x2x9k`), or a docker json-file's container id
  /// (`7c2fc07fa518`) and a named service (the id could be any service's). Two replicas in two
  /// files are not, nor are two containers.
  static func sameInstance(_ left: String, _ right: String) -> Bool {
    if left == right { return true }
    // Two containers are two instances; a container and a named service may be one.
    if ServiceName.isContainerID(left) || ServiceName.isContainerID(right) { return ServiceName.isContainerID(left) != ServiceName.isContainerID(right) }
    guard ServiceName.normalized(left) == ServiceName.normalized(right) else { return false }
    return (ServiceName.deploymentName(ofPod: left) == nil) != (ServiceName.deploymentName(ofPod: right) == nil)
  }

  // MARK: Incidents

  /// Makes incidents of the groups (emptied: each group's memory goes as its incidents are
  /// made, so the occurrences are never held twice).
  func group(_ built: inout Groups, findings: FindingStore) -> [Incident] {
    typealias Key = GroupKey
    let keys = built.keys
    var groups: [Key: ChunkedArray<Occurrence>] = [:]
    swap(&groups, &built.members)
    // An undated restart-loop report (a `BackOff` event: `kubectl get events` shows ages, not
    // times) of an instance whose crashes are dated is evidence of its last crash.
    // Per instance, its latest dated crash (across the death categories).
    var latestCrash: [String: (key: Key, position: Int)] = [:]
    for key in keys where key.category.isProcessDeath {
      for (position, occurrence) in groups[key]!.enumerated() {
        guard let time = occurrence.time else { continue }
        if let current = latestCrash[occurrence.service], groups[current.key]![current.position].time! >= time { continue }
        latestCrash[occurrence.service] = (key, position)
      }
    }
    for key in keys where key.category == .crashloop {
      var kept = ChunkedArray<Occurrence>()
      for occurrence in groups[key]! {
        if occurrence.time == nil, let crash = latestCrash[occurrence.service] {
          groups[crash.key]![crash.position].findingIndexes += occurrence.findingIndexes
        } else {
          kept.append(occurrence)
        }
      }
      groups[key] = kept
    }
    var incidents: [Incident] = []
    for key in keys where !groups[key]!.isEmpty {
      // Taken out of the table: changed in place, not copied.
      var chunked = groups.removeValue(forKey: key)!
      var members = chunked.drainIntoArray()
      // An undated account of a crash or stop (`kubectl describe`'s `Last State: … OOMKilled`,
      // an events table's `Killing`) of a service whose crashes or stops are also dated repeats
      // one of them: it is evidence of the last dated one of its instance, not another.
      if key.category.isProcessDeath || key.category == .terminated {
        var latest: [String: Int] = [:]
        for (position, member) in members.enumerated() {
          guard let time = member.time else { continue }
          if let current = latest[member.service], members[current].time! >= time { continue }
          latest[member.service] = position
        }
        var merged: [Bool] = Array(repeating: false, count: members.count)
        for position in members.indices where members[position].time == nil {
          guard let dated = latest[members[position].service] else { continue }
          members[dated].findingIndexes += members[position].findingIndexes
          merged[position] = true
        }
        members = members.indices.filter { !merged[$0] }.map { members[$0] }
      }
      members.sort { left, right in
        let (a, b) = (left.time?.millisecondsSinceEpoch ?? .min, right.time?.millisecondsSinceEpoch ?? .min)
        return a != b ? a < b : left.findingIndexes[0] < right.findingIndexes[0]
      }
      // Runs split at quiet gaps, each made at its exact size (the usual single run is the
      // members themselves, not a copy).
      var starts = [0]
      for position in members.indices.dropFirst() {
        if let previous = members[position - 1].time, let time = members[position].time,
          time.millisecondsSinceEpoch - previous.millisecondsSinceEpoch > quietGap
        {
          starts.append(position)
        }
      }
      if starts.count == 1 {
        incidents.append(makeIncident(members, key.category, findings: findings))
      } else {
        for (number, start) in starts.enumerated() {
          let end = number + 1 < starts.count ? starts[number + 1] : members.count
          incidents.append(makeIncident(Array(members[start..<end]), key.category, findings: findings))
        }
      }
    }
    return incidents
  }

  func makeIncident(_ occurrences: [Occurrence], _ category: CrashCategory, findings: FindingStore) -> Incident {
    // The most confident, most specific finding speaks for the incident (found by index: an
    // incident may hold a quarter of a million findings).
    var lead: Int?
    for occurrence in occurrences {
      for index in occurrence.findingIndexes where findings[index].category == category {
        guard let current = lead else { lead = index; continue }
        let (left, right) = (findings[current], findings[index])
        // The kernel's `invoked oom-killer` names the task that was allocating, not the one it
        // killed: another line of the same report speaks better for the incident.
        let demoted = (left.role == .oomReportStart && right.role != .oomReportStart)
          || (left.time == nil && right.time != nil)  // and a dated line speaks better than an undated one
        if right.confidence > left.confidence || (right.confidence == left.confidence && (right.category < left.category || demoted)) {
          lead = index
        }
      }
    }
    let leadFinding = findings[lead ?? occurrences[0].findingIndexes[0]]
    var services: [String] = []
    for occurrence in occurrences where !services.contains(occurrence.service) { services.append(occurrence.service) }
    let times = occurrences.compactMap(\.time)
    let service = services.count == 1 ? services[0] : ServiceName.normalized(services[0])
    let count = occurrences.count
    let title = "\(service): \(leadFinding.title)" + (count > 1 ? " (\(count) times)" : "")
    var incident = Incident(
      id: "", title: title, severity: .low, category: category, service: service, services: services,
      fingerprint: category.isProcessDeath ? "" : leadFinding.fingerprint, occurrences: occurrences,
      firstSeen: times.min(), lastSeen: times.max(), next: leadFinding.remediation, severityReason: "")
    incident.leadFindingIndex = lead
    return incident
  }

  // MARK: Severity

  func severity(
    of incident: Incident, instances: Set<String>, findings: FindingStore, restartsByService: [String: [Timestamp]],
    logsEnd: Timestamp? = nil
  ) -> (Severity, String) {
    let count = incident.count
    let exits = incident.occurrences.count { $0.findingIndexes.contains { findings[$0].endedProcess } }
    switch incident.category {
    case .terminated:
      return (.info, "graceful termination")
    case .oom, .segfault, .killed:
      // A service of one instance is not "all instances down" (a child process's death, or a
      // gap in the logs, would make every crash critical).
      if instances.count > 1, allDownAtOnce(incident, instances: instances, findings: findings, restartsByService: restartsByService) {
        return (.critical, "every instance of \(ServiceName.normalized(incident.service)) (\(instances.count)) was down at the same time for \(allDownFor / 1000)s or more")
      }
      if incident.firstSeen == nil {
        return (.medium, count == 1 ? "a single crash, undated" : "\(count) crashes, undated (no window can be told)")
      }
      if let window = densestWindow(incident), window >= crashLoopCount {
        return (.high, "\(window) crashes within \(crashLoopWindow / 60_000) minutes (threshold \(crashLoopCount))")
      }
      return (.medium, count == 1 ? "a single crash" : "\(count) crashes, fewer than \(crashLoopCount) within \(crashLoopWindow / 60_000) minutes")
    case .crashloop:
      return (.high, "the supervisor reports a restart loop")
    case .deadlock, .config, .missingBinary, .heartbeat:
      if exits > 0 { return (.medium, "\(incident.category.rawValue) stops the work until fixed; the process exited on it") }
      return (.medium, "\(incident.category.rawValue) stops the work until fixed")
    case .connectionRefused, .timeout, .traceback:
      let threads = Set(incident.findingIndexes.compactMap { findings[$0].deadThread }).sorted()
      if exits == 0 && !threads.isEmpty {
        // A thread that died of it stopped working while its process lived on.
        return (.medium, "\(count) occurrence(s); thread \(threads.joined(separator: ", ")) died of it (the process lived on without it)")
      }
      if exits > 0 {
        // An error the process died of (Node's uncaught-exception exit) is a crash.
        var reason = "\(count) occurrence(s); \(exits == 1 ? "one" : "\(exits)") ended the process"
        let lastExit = incident.occurrences.last { $0.findingIndexes.contains { findings[$0].endedProcess } }?.time
        if let lastExit, !incident.restarts.contains(where: { $0 > lastExit }) {
          reason += ", and no restart followed the last"
          // Down from then to the end of the logs: the service is out, not just failing.
          if let logsEnd, logsEnd.millisecondsSinceEpoch - lastExit.millisecondsSinceEpoch >= allDownFor {
            let seconds = (logsEnd.millisecondsSinceEpoch - lastExit.millisecondsSinceEpoch) / 1_000
            return (.high, reason + " (down for " + (seconds < 60 ? "\(seconds) s" : "\(seconds / 60) min") + ", to the end of the logs)")
          }
        }
        return exits >= crashLoopCount ? (.high, reason) : (.medium, reason)
      }
      return count >= crashLoopCount ? (.medium, "\(count) occurrences") : (.low, count == 1 ? "a single occurrence" : "\(count) occurrences")
    }
  }

  /// The most crashes inside any ``crashLoopWindow``.
  func densestWindow(_ incident: Incident) -> Int? {
    let times = incident.occurrences.compactMap { $0.time?.millisecondsSinceEpoch }.sorted()
    guard !times.isEmpty else { return incident.count }
    var best = 0
    var low = 0
    for high in times.indices {
      while times[high] - times[low] > crashLoopWindow { low += 1 }
      best = max(best, high - low + 1)
    }
    return best
  }

  /// How long every instance must be down together for `critical`.
  public var allDownFor: Int64 = 30_000

  /// Whether every instance of the service was down at once for ``allDownFor``: each from a
  /// process death (an exit, a signal, the kernel; not a runtime's exception such as a
  /// MemoryError traceback, which the process survives) to its next line.
  func allDownAtOnce(_ incident: Incident, instances: Set<String>, findings: FindingStore, restartsByService: [String: [Timestamp]]) -> Bool {
    var down: [String: [(Int64, Int64)]] = [:]
    for occurrence in incident.occurrences {
      guard let time = occurrence.time?.millisecondsSinceEpoch,
        occurrence.findingIndexes.contains(where: { findings[$0].isCrash })
      else { continue }
      let restarts = restartsByService[occurrence.service] ?? []
      let after = restarts.partitioningIndex { $0.millisecondsSinceEpoch > time }
      down[occurrence.service, default: []].append((time, after < restarts.count ? restarts[after].millisecondsSinceEpoch : .max))
    }
    guard !instances.isEmpty, Set(down.keys) == instances else { return false }
    // Sweep: per instance its down intervals merged, then every boundary in time order; all
    // instances down from one boundary to the next for allDownFor is enough.
    var boundaries: [(time: Int64, change: Int)] = []
    for intervals in down.values {
      var merged: [(Int64, Int64)] = []
      for interval in intervals.sorted(by: { $0.0 < $1.0 }) {
        if let last = merged.last, interval.0 <= last.1 { merged[merged.count - 1].1 = max(last.1, interval.1) } else { merged.append(interval) }
      }
      for (start, end) in merged {
        boundaries.append((start, 1))
        boundaries.append((end, -1))
      }
    }
    boundaries.sort { $0.time != $1.time ? $0.time < $1.time : $0.change < $1.change }
    var downNow = 0
    for (position, boundary) in boundaries.enumerated() {
      downNow += boundary.change
      if downNow == down.count, position + 1 < boundaries.count, boundaries[position + 1].time &- boundary.time >= allDownFor { return true }
    }
    return false
  }

  // MARK: Causes and traces

  func linkCauses(_ incidents: inout [Incident], findings: FindingStore) {
    let causes = incidents.indices.filter {
      incidents[$0].category.isProcessDeath || incidents[$0].category == .terminated
    }
    for index in incidents.indices where incidents[index].category == .connectionRefused || incidents[index].category == .timeout {
      let incident = incidents[index]
      guard let start = incident.firstSeen?.millisecondsSinceEpoch else { continue }
      // The names its findings give (a handful of distinct ones, however many findings).
      var namedSet = Set<String>()
      for finding in incident.findingIndexes {
        let captures = findings[finding].captures
        for key in ["dependency", "host", "peer", "container", "service"] { if let name = captures[key] { namedSet.insert(name) } }
      }
      let named = namedSet.sorted()
      let candidates = causes.filter { candidate in
        let cause = incidents[candidate]
        guard cause.id != incident.id, !incident.services.contains(where: { cause.services.contains($0) }),
          let causeStart = cause.firstSeen?.millisecondsSinceEpoch, causeStart - causeLead <= start,
          named.contains(where: { name in ServiceName.matches(name, cause.service) || cause.services.contains { ServiceName.matches(name, $0) } })
        else { return false }
        let recovered = (cause.restarts.last ?? cause.lastSeen)?.millisecondsSinceEpoch ?? causeStart
        return start <= recovered &+ causeGrace
      }
      guard let cause = candidates.min(by: { (incidents[$0].firstSeen ?? .init(millisecondsSinceEpoch: 0)) < (incidents[$1].firstSeen ?? .init(millisecondsSinceEpoch: 0)) }) else { continue }
      let causeIncident = incidents[cause]
      let name = named.first { candidate in ServiceName.matches(candidate, causeIncident.service) || causeIncident.services.contains { ServiceName.matches(candidate, $0) } } ?? causeIncident.service
      let lead = Double(start - (causeIncident.firstSeen?.millisecondsSinceEpoch ?? start)) / 1000
      let what = incident.category == .connectionRefused ? "connections to \(name) were refused" : "calls to \(name) timed out"
      let how = causeIncident.category == .terminated ? "stopped" : "crashed (\(causeIncident.category.rawValue))"
      let causeServices = causeIncident.services.joined(separator: ", ")
      incidents[index].causedBy = (
        causeIncident.id,
        "\(what) from \(incident.services.joined(separator: ", ")) "
          + (lead >= 0
            ? "\(lead.formatted1)s after \(causeServices) \(how)"
            // The crash is dated by the line that reports it, on the restart, after the refusals.
            : "while \(causeServices) was down: it \(how), as it reported \((-lead).formatted1)s later")
      )
    }
  }

  func tieTraces(_ incidents: inout [Incident], traces: inout [TraceAnalysis]) {
    // Finding → incident, as an array: an incident may hold a quarter of a million findings.
    let findingCount = incidents.lazy.flatMap(\.occurrences).flatMap(\.findingIndexes).max().map { $0 + 1 } ?? 0
    var incidentOfFinding = [Int32](repeating: -1, count: findingCount)
    for (index, incident) in incidents.enumerated() {
      for occurrence in incident.occurrences { for finding in occurrence.findingIndexes { incidentOfFinding[finding] = Int32(index) } }
    }
    for index in traces.indices {
      guard let crash = traces[index].crash, crash.findingIndex < findingCount, incidentOfFinding[crash.findingIndex] >= 0 else { continue }
      let incident = Int(incidentOfFinding[crash.findingIndex])
      // Only traces that died there, not those that may have been in flight (logs only).
      guard traces[index].status == .incomplete else { continue }
      incidents[incident].traceIDs.append(traces[index].traceID)
      traces[index].incidentIDs.append(incidents[incident].id)
    }
  }
}
