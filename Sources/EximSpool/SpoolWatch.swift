import EximFormats
import StoremonSystem
#if canImport(Glibc)
import Glibc
#endif

/// Linux inotify watches on a queue's directories (`QueueReader.watchesDirectories`): which
/// messages' files were created, removed, renamed or written since the last scan, by name.
/// A rescan then looks at those messages only, not at every file of a directory that
/// changed (a 100,000-message queue with one message rewritten: a few `stat`s, not 200,000).
///
/// The events are only a hint about where to look; a message they name is checked by its
/// files' (inode, size, mtime) as before. A directory whose events cannot be trusted to be
/// complete (the kernel's event queue overflowed, the watch was lost, the directory was
/// replaced, a sub-directory appeared or went) is listed again.
final class SpoolWatch {
    private let inotify: Inotify
    /// Directory slot (0 for `input/`, else the sub-directory's character) of each watch.
    private var slotOfWatch: [Int32: UInt8] = [:]
    private var watchOfSlot: [UInt8: Int32] = [:]
    /// Messages named by events since the last `collect()`, per slot.
    private var changed: [UInt8: Set<MessageID>] = [:]
    /// Slots to list again (their events are incomplete).
    private var relist: Set<UInt8> = []
    private var overflowed = false

    /// Events that can change what a listing or a message's file keys show.
    static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE
        | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// An inotify instance; nil where the kernel refuses one (callers list and stat as before).
    init?() {
        guard let i = Inotify() else { return nil }
        inotify = i
    }

    /// Watches directory `path` as `slot`, before it is listed (so nothing that happens
    /// during the listing is missed). False when the watch cannot be added (e.g. the
    /// per-user watch limit): that directory is then listed at every change.
    func watch(_ path: String, slot: UInt8) -> Bool {
        guard let wd = try? inotify.watch(path, mask: SpoolWatch.mask) else {
            forget(slot)
            return false
        }
        if let old = watchOfSlot[slot], old != wd { slotOfWatch[old] = nil }
        watchOfSlot[slot] = wd
        slotOfWatch[wd] = slot
        relist.remove(slot)
        changed[slot] = nil
        return true
    }

    /// Stops treating `slot` as watched.
    private func forget(_ slot: UInt8) {
        if let wd = watchOfSlot.removeValue(forKey: slot) {
            slotOfWatch[wd] = nil
            inotify.remove(wd)
        }
    }

    /// Reads the events waiting now; from here until the next `collect()`, `changes(in:)`
    /// answers from them.
    func collect() {
        changed.removeAll(keepingCapacity: true)
        relist.removeAll(keepingCapacity: true)
        overflowed = false
        inotify.readEvents { e in
            if e.mask & UInt32(IN_Q_OVERFLOW) != 0 { overflowed = true; return }
            guard let slot = slotOfWatch[e.watch] else { return }
            if e.mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT) != 0 {
                relist.insert(slot)
                return
            }
            let name = Array(e.name.utf8)
            let n = name.count
            if n == 1 { relist.insert(slot); return }          // a split sub-directory came or went
            guard n == 18 || n == 25, name[n - 2] == UInt8(ascii: "-"),
                  [UInt8(ascii: "H"), UInt8(ascii: "D"), UInt8(ascii: "J")].contains(name[n - 1]),
                  let id = MessageID(bytes: name[0..<(n - 2)]) else { return }   // temporary files, others
            changed[slot, default: []].insert(id)
        }
        for slot in relist { forget(slot) }
    }

    /// The messages whose files changed in directory `slot` since the last listing, as far
    /// as the events collected tell (empty: none); nil when the directory must be listed
    /// again (not watched, events lost).
    func changes(in slot: UInt8) -> Set<MessageID>? {
        guard !overflowed, watchOfSlot[slot] != nil, !relist.contains(slot) else { return nil }
        return changed[slot] ?? []
    }
}
