#!/usr/bin/env bash
# Build the project's Go programs (cached) and print the path of each one asked for.
#
#   bash scripts/go_tools.sh connector   # cmd/baton-alibaba-cloud: baton-sdk's runner and
#                                        # syncer in front of `baton-alibaba-cloud serve`
#   bash scripts/go_tools.sh baton       # baton-sdk's `baton` CLI (cmd/baton), which the
#                                        # tests run on our c1z files
#
# A binary is rebuilt only when its sources (go.mod, go.sum, *.go) change: it is cached as
# $GO_TOOLS_DIR/<name>-<hash of the sources> (default .go-tools/ in the checkout). Go's own
# module and build caches make a rebuild after a change quick. baton-sdk is pinned in the
# program's go.mod (the `baton` CLI's in tools/baton/go.mod, whose go.sum pins every module hash:
# the module proxy refuses version lists, so `go install ...@version` cannot be used); both must
# name BATON_SDK_VERSION below.
set -euo pipefail

BATON_SDK_VERSION="v0.26.0"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${GO_TOOLS_DIR:-$root/.go-tools}"

if ! command -v go >/dev/null 2>&1; then
  echo "go_tools: the Go toolchain (go) is not installed" >&2
  exit 1
fi
mkdir -p "$out"

# build NAME DIR PACKAGE [LDFLAGS]: `go build` PACKAGE in DIR (a module pinning baton-sdk) as
# $out/NAME-<hash of DIR's go.mod, go.sum and *.go>, unless that binary is already there.
build() {
  local name="$1" src="$root/$2" package="$3" ldflags="${4:-}"
  if ! grep -q "github.com/conductorone/baton-sdk $BATON_SDK_VERSION\$" "$src/go.mod"; then
    echo "go_tools: $src/go.mod does not pin baton-sdk $BATON_SDK_VERSION" >&2
    exit 1
  fi
  local key
  # shellcheck disable=SC2046 # one word per source file
  key="$(cd "$src" && cat go.mod go.sum $(find . -maxdepth 1 -name '*.go' | sort) \
    | sha256sum | cut -c1-16)"
  local bin="$out/$name-$key"
  if [ ! -x "$bin" ]; then
    (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$bin.tmp.$$" "$package")
    mv "$bin.tmp.$$" "$bin"
  fi
  echo "$bin"
}

for tool in "$@"; do
  case "$tool" in
    connector) (flock 9; build baton-alibaba-cloud cmd/baton-alibaba-cloud . \
                 "-X main.version=baton-sdk-$BATON_SDK_VERSION") 9>"$out/.lock" ;;
    baton) (flock 9; build baton tools/baton github.com/conductorone/baton-sdk/cmd/baton) \
             9>"$out/.lock" ;;
    *) echo "go_tools: unknown tool $tool (known: connector, baton)" >&2; exit 2 ;;
  esac
done
