extension Store {
    /// Exim's `store_writeprotect(POOL_CONFIG)`: makes every block of the config pool's
    /// chain read-only with `mprotect`. Config blocks are page-aligned, so nothing else
    /// shares their pages; a later write to them kills the process with SIGSEGV (the
    /// enforcement is the fault, as in Exim). The tainted config pool is not protected.
    /// Blocks the config pool gets later are writable, as in Exim.
    /// Throws `.protectionFailed` if `mprotect` fails (Exim only prints a debug line).
    public func writeProtectConfig() throws(StoreError) {
        let i = PoolKind.config.rawValue
        for k in handle[pool: i].chain.indices where !handle[pool: i].chain[k].isProtected {
            let b = handle[pool: i].chain[k]
            let e = space.protect(b.header, bytes: b.physical, writable: false)
            guard e == 0 else { throw .protectionFailed(errno: e) }
            handle[pool: i].chain[k].isProtected = true
        }
        configProtected = true
    }
}
