#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A note, `.runbook-checked` in the store, that the store's runbook as it is now passed every
/// check `Runbook.decode` makes (shape, schema, `validate`, hidden characters) with this
/// binary, so that later commands only parse it (the checks were 40 % of `show`).
///
/// The note names the binary (`DerivedIndex.engineStamp`), the runbook file's fingerprint
/// (size, modification and change times, inode: taken after its bytes were read) and a
/// checksum of those bytes. A runbook edited, replaced or pulled since has another change
/// time or inode, a new binary another stamp; an in-place edit within the same clock tick
/// still changes the checksum. Nothing a teammate sends through git can match it: the note
/// is a dot-file (ignored by git), and the inode and change time are this machine's. Nor can
/// another user of a shared store: a note is believed only when it is a regular file owned by
/// the user running incident and writable by nobody else (anyone may compute a checksum, but
/// not create a file in someone else's name). It is a hint, never the source of truth:
/// missing, stale, damaged or not trusted, the runbook is checked in full and the note
/// rewritten; `doctor` always checks in full. Written without the lock and without fsync,
/// like the indexes.
enum RunbookCheck {
    static let name = ".runbook-checked"
    static let magic = "incident-runbook-checked 1"

    static func key(fingerprint: FileFingerprint, bytes: [UInt8]) -> [UInt8] {
        let sum = IndexLine.hex16(IndexLine.checksum(bytes))
        return Array("\(magic)\t\(DerivedIndex.engineStamp)\t\(fingerprint.text)\t".utf8) + sum + [0x0a]
    }

    /// True when the note in `root` is exactly `key`. Never on a system where the binary
    /// cannot name itself (no `/proc/self/exe`): a new version could not tell the note is old.
    static func holds(_ key: [UInt8], root: String) -> Bool {
        guard DerivedIndex.engineStamp != "static", let stored = POSIXFile.readOwnFile(root + "/" + name, limit: 4096) else { return false }
        return stored == key
    }

    /// Writes the note; a store incident cannot write to (read-only, another user's) simply
    /// checks the runbook every time.
    static func record(_ key: [UInt8], root: String) {
        guard DerivedIndex.engineStamp != "static" else { return }
        if let stored = POSIXFile.readOwnFile(root + "/" + name, limit: 4096), stored == key { return }
        try? POSIXFile.writeAtomically(key, directory: root, name: name, replacingSpecialFiles: true, durable: false)
    }
}
