#!/bin/bash
# Builds a tiny package that depends on this one BY VERSION (1.0.0, tagged in a git copy
# of the working tree) and uses the `Store` product. SwiftPM refuses a version dependency
# whose product's targets carry unsafe build flags, so this fails if they come back.
#
#   depend-by-version.sh PACKAGE_ROOT      (prints "ok" last on success)
set -euo pipefail
root=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/storemon-dependency.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A git copy of the working tree (tracked and new files, not ignored ones), tagged 1.0.0.
mkdir "$work/storemon"
cd "$root"
git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
done | xargs -0 cp --parents -t "$work/storemon"
cd "$work/storemon"
git init -q
git add -A
git -c user.name=test -c user.email=test@localhost commit -qm "storemon under test"
git tag 1.0.0

# The dependent package.
mkdir -p "$work/app/Sources/app"
cat > "$work/app/Package.swift" <<MANIFEST
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "app",
    dependencies: [.package(url: "file://$work/storemon", from: "1.0.0")],
    targets: [
        .executableTarget(name: "app", dependencies: [.product(name: "Store", package: "storemon")]),
    ]
)
MANIFEST
cat > "$work/app/Sources/app/main.swift" <<'SOURCE'
import Store

let store = try Store()
let mark = try store.mark()
let clean = try store.get(16)
let dirty = try store.get(16, .tainted)
precondition(!store.isTainted(clean) && store.isTainted(dirty))
try store.reset(to: mark)
print("ok")
SOURCE

swift build --package-path "$work/app" --scratch-path "$work/build" 2>&1
"$work/build/debug/app"
