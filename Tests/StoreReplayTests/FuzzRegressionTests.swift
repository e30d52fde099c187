import Testing
import Foundation
import EximTrace
import StoreReplay

/// Inputs that crashed a replay fuzzer (libFuzzer over parser + replay + Store), kept
/// as regression tests: each must replay to the end without a trap.
@Suite struct FuzzRegressionTests {
    /// crash-4cf16877…: a reset whose cookie address maps to a misaligned address in
    /// the replay's store (the store loaded the watermark from it and trapped).
    static let misalignedCookie = "Q2xvc2VkUmEgIGF1eGlsaWFyeSBncm91cCBsaXN0OiA8bm9uZT4KLS0tMiBHZXQgMHg1NjIwNzJmYmIwMTAgICAgNTYgIHJlYWRjb25mX21haW4gMzE5OAotLS0yIEdldCAweDU2MjA3MmZiYjA0OCAgICA0MyAgcmVhZGNvbmZfbWFpbiAzMjA3Ci0tLTIgTXJrICAgACAgICAgICAgICAgICAgICAgcmVhZGNvbmZfbWFpbiAzMjg0CXBvb2wgMTIyNDAKLS0tMiBHZXQgMHg1NjIwNzJmYmIwMzkgICAgIDggIHJlYWRjb25mX21haW4gMzI4NAotLU1hbGxvYyAweDU2MjA3MmZiYzQxOCAgNDA4OCBieXRlcwkgICAgICAgcmVhZGNv7mZfbWFpbiAzMjg0CXBvb2wgMTYzMjAgIG5vbnBvb2wgMTM2NTcKLS0tNyBHZXQgMHg1NjIwNzJmYmM0MjggICAgIDAgIHJlYWRjb25mX21haW4gMzI4NAotLS0yIEdldCAweDU2MjA3MmZiZTAxMCAzNTI5MiAgcmVhZGNvbmZfbWFpbiAzMjg1Ci0tLTcgUnN0IDB4NTYyMDcyZmJjNDI4ICAgICAwICByZWFkY29uZl9tYWluIDMyODYJcG9vbCA1MTYzMgotLS0yIFJzdCAweDU2MjA3MmZiYjA3OCAzOTI3MiAgcmVhZGNvbmZfbWFpbiAzMjg2CXBvb2wgMTYzMjAKLS0tMiBNcmsgICAgICAgICAgICAgICAgICAgIHJlYWRjb25mX2hhbmRsIDE3NTcJcG9vbCAxNjMyMAotLS0yIEdldCAweDU2MjA3MmZiYjA3OCAgICAgOCByZWFkY29uZl9oYW5kbCAxNzU3Ci0tLTcgR2V0IDB4NTYyMDcyZmJjNDI4ICAgICAwIHJlYWRjb25mX2hhbmRsIDE3NTcKLS0tMiBHZXQgMHg1NjIwNzJmYmIwODAgICAgMTIgICAgcmVhZF9zdHJpbmcgMTU0MAotLS0yIE1yayAgICAgICAgICAgICAgICAgICAgcmVhZGNvbmZfaGFuZGwgMTc1NwlwIDB4NTU1OGQ3NGQyZDI4ICAgNDI1ICAgIHJlYWRfc3RyaW5nIDE1NDAKLS1NYWxsb2MgMHg1NTU4ZDc0YzdmZTggICAyNTYgYg8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PD3l0ZXMJcmVhZGNvbmZfaGFuZGxlX29wdGkgMjAzOQlwb29sIC00ODQ2NCAgbm9ucG9vbCAtMTk5OTkKLS0tNyBSc3QgMHg1NTU4ZDc0ZDM0MjggICAgIDAgcmVhZGNvbmZfaGFuZGwgMjA2NAlwb29sIC00ODQ2NAotLS0yIFJzdCAweDU1NThkNzRkMmQyMCAzNDg3MiByZWFkY29uZl9oYW5kbCAyMDY0CXBvb2wgLTgyODk2Ci0tLTIgTXJrICAgICAgICAgICAgICAgICAgIF9oYW5kbCAxNzU3Ci0tLTIgR2V0IDB4NTU1OGQ3NGQyZDI4ICAgNDI1ICAgIHJlYWRfc3RyaW5nIDE1NDAKLS1NYWxsb2MgMHg1NTU4ZDc0YzgwZjggICAyNTYgYnl0ZXMJcmVhZGNvbmZfaGFuZGxlX29wdGkgMjAzOQlwb29sIC04Mjg5NiAgbm9ucG9vbCAtMTk3NDMKLS0tNyBSc3QgMHg1NTU4ZDc0ZDM0MjggICAgIDAgcmVhZGNvbmZfaGFuZGwgMjA2NAlwb29sIC04Mjg5NgotLS0yIFJzdCAweDU1NThkNzRkMmQyMCAzNDg3MiByZWFkY29uZl9oYW5kbCAyMDY0CXBvb2wgLTExNzMyOAotLS0yIEdldCAweDU1NThkNzRkMmQyMCAgICAzMiBzdHJpbmdfdmZvcm1hdCAxMzQ2Ci0tLTIgRXh0IDB4NTU1OGQ3NGQyZDMwICAgMTI4ICAgZ3N0cmluZ19ncm93IDExMzQKLS0tMiBSZWwgMHg1NTU4ZDc0ZDJkNWEgICAgODAgc3RyaW5nX3NwcmludGYgIDcxNAlwb29sIC0xMTczMjgKLS1NYWxsb2MgMHg1NTU4ZDc0Yzc4OTggICAgMzIgYnl0ZXMJZnVuY3Rpb25fc3RvcmVfbWFsbG8gICA0OAlwb29sIC0xMTczMjggIG5vbnBvb2wgLTE5NzExCi0tTWFsbG9jIDB4NTU1OGQ3NGM3OGM4ICAgIDgwIGJ5dGVzCWZ1bmN0aW9uX3N0b3JlX21hbGxvICAgNDgJcG9vbCAtMTE3MzI4ICBub25wb29sIC0xOTYzMQotLU1hbGxvYyAweDU1NThkNzRjODIwOCAgIDM0MSBieXRlcwlmdW5jdGlvbl9zdG9yZV9tYWxsbyAgIDQ4CXBvb2wgLTExNzMyOCAgbm9ucG9vbCAtMTkyOTAKLS0tLUZyZWUgMHg1NTU4ZDc0Yzc4YzggICAgIDIwNjQJcG9vbCAtNDg0NjQKLS0tMiBSc3QgMHg1NTU4ZDc0ZDJkMjAgMyAweDU1NThkNzRjNzhvb2wgMTYzMjAKLS0tMiBHZXQgMHg1NjIwNzJmYmIwOTAgICAgIDggcmVhZGNvbmZfaGFuZGwgMTc1NwotLS03IEdldCAweDU2MjA3MmZiYzQyOCAgICAgMCByZWFkY29uZl9oYW5kbCAxNzU3Ci0tLTIgR2V0IDB4NTYyMDcyZmJiMDk4ICAgIDEyICAgIHJlYWRfc3RyaW5nIDE1NDAKLS0tMiBNcmsgICAgICAgICAgICAgICAgICByaW5nIDE1NDAKLS0tMiBNcmsgICAgICAgICAgICAgICAgICAgIHJlYWRjb25mX2hhbmRsIDE3NTcJcG9vbCAxNjMyMAotLS0yIEdlbCAxNzU3Ci0tLTcgR2V0IDB4NTYyMDcyZmJjNDI4ICAgICAwIHJlYWRjb25mX2hhbmRsIDE3NTcKLS0tMiBHZXQgMHg1NjIwNzJmYmIwYjAgICAgMjQgICAgcmVhZF9zdHJpbmcgMTU0MAotLS0yIE1yayAgICAgICAgICAgICAgICAgICAgcmVhZGNvbmZfaGFuZGwgMTc1Nwlwb29sIDE2MzIwCi0tLTIgR2V0IDB4NTYyMDcyZmJiMGM4ICAgICA4IHJlYWRjb25mX2hhbmRsIDE3NTcKLS0tNyBHZXQgMHg1NjIwNzJmYmM0MjggICAgIDAgcmVhZGNsIDE3NTcKLS0tMiBHZXQgMHg1NjIwNzJmYmIwZDAgICAgMjggICAgcmVhZF9zdHJpbmcgMTU0MAotLS0yIE1yayAgICAgICAgICAgICAgICAgICAgcmVhZGNvbmZfaGFuZGwgMTc1Nwlwb29sIDE2MzIwCi0tLTIgR2V0IDB4NTYyMDcyZmJiMGYwICAgICA4IHJlYWRjb25mX2hhbmRsIDE3NTcKLS0tNyBHZXQgMHg1NjIwNzJmYmM0MjggICAgIDAgcmVhZGNvbmZfaGFuZGwgMTc1NwotLS0yIEdldCAweDU2MjA3MmZiYjBmOCAgICAgMSAgICByYWFkX3N0cmluZyAxNTQwCg=="

    @Test func misalignedResetCookieIsReportedNotATrap() throws {
        let data = try #require(Data(base64Encoded: Self.misalignedCookie))
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let report = TraceText.check(lines, cut: !text.hasSuffix("\n"))
        #expect(report.lines >= lines.count - 1)
        #expect(report.lines > 0)
    }

    @Test func aMisalignedResetPointerIsAProblemNotAnOperation() {
        let lines = ["Exim version 4.96 uid=0 gid=0 pid=7 D=f7735cfd",
                     "---0 Mrk                    show_whats_sup 1024\tpool 0",
                     "--Malloc 0x1000  4088 bytes\tshow_whats_supported 1024\tpool  4080  nonpool 17609",
                     "---0 Get 0x1010     8 show_whats_sup 1024",
                     "---0 Rst 0x1013     0 show_whats_sup 1030\tpool 4080"]
        let report = TraceText.check(lines)
        #expect(report.problems.contains { $0.line == 5 && $0.message.contains("not 8-aligned") })
    }

    @Test func absurdFiguresNeverTrap() {
        // Found by mutating real traces: sizes and addresses that overflow Int or wrap the
        // address space must give differences, not a trap.
        let lines = ["Exim version 4.96 uid=0 gid=0 pid=7 D=f7735cfd",
                     "---0 Mrk                    show_whats_sup 1024\tpool 4080",
                     "--Malloc 0x1000     8 bytes\tshow_whats_supported 1024\tpool  4080  nonpool 17609",
                     "---0 Get 0x1010     8 show_whats_sup 1024",
                     "--Malloc 0xffffffffffffff00 999999999999999999 bytes\tf 1\tpool 999999999999999999  nonpool -999999999999999999",
                     "---0 Get 0xffffffffffffff10 999999999999999999 f 2",
                     "---0 Get 0x10 999999999999999999 f 3",
                     "---0 Rst 0x8 999999999999999999 f 4\tpool -999999999999999999",
                     "---0 Ext 0xfffffffffffffff8 999999999999999999 f 5",
                     "---0 Rel 0xfffffffffffffff9 -999999999999999999 f 6\tpool 999999999999999999",
                     "--Malloc 0x4000 2305843009213693944 bytes\tf 7\tpool 1  nonpool 1",
                     "---1 Get 0x4010 8 f 8",
                     "----Exit nonpool max: 999999999999999999 kB in 999999999999999999 blocks",
                     "----Exit npools  max: 999999999999999999 kB",
                     "----Exit  pool  0 max: 999999999999999999 kB in 1 blocks at order 99\tuntainted main"]
        let report = TraceText.check(lines)
        #expect(report.lines == lines.count)
        #expect(report.failed)
    }
}
