#!/usr/bin/env bash
# Make a drag-to-Applications DMG from the .app (macOS only: hdiutil).
#   packaging/macos/make_dmg.sh "dist/Get3W Desktop.app" dist/Get3W-Desktop-0.1.0.dmg
# Signing and notarisation: see packaging/macos/README.md (needs an Apple Developer ID).
set -euo pipefail
app="$1"; dmg="$2"
[ -d "$app" ] || { echo "no app bundle at $app" >&2; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "Get3W Desktop" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
if [ -n "${GET3W_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --sign "$GET3W_CODESIGN_IDENTITY" --timestamp "$dmg"
fi
echo "$dmg"
