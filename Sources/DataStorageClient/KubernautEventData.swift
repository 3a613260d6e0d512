// Imported only here: the two modules declare types of the same names (AuditEventRequest…),
// and only this alias of kubernaut's is needed by the rest of this module.
public import KubernautDataStorageClient

/// kubernaut's typed `event_data`: one of its payloads, chosen by `event_type`.
///
/// `openapi/datastorage.yaml` refers to kubernaut's contract for it, and the generator
/// uses this type there (`typeOverrides`), so a payload built for kubernaut's DataStorage is
/// the same value in ``AuditEventData/kubernautEventData(_:)``.
public typealias KubernautEventData = KubernautDataStorageClient.AuditEvent.EventData
