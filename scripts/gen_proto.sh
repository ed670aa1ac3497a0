#!/usr/bin/env bash
# Regenerate src/baton_alibaba_cloud/baton/pb/*_pb2.py{,i} from proto/.
#
# grpcio-tools is a generator, not a project dependency, so it lives in a throwaway venv
# (GEN_VENV, default /tmp/baton-alibaba-cloud-gen-proto). The version is pinned because the
# generated files are committed and must come out byte-identical; bumping it changes the
# gencode version embedded in them (see the protobuf floor in pyproject.toml).
set -euo pipefail

GRPCIO_TOOLS_VERSION="1.85.1"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${GEN_VENV:-/tmp/baton-alibaba-cloud-gen-proto}"
out="$root/src/baton_alibaba_cloud/baton/pb"

if ! "$venv/bin/python" -c "import grpc_tools" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "grpcio-tools==$GRPCIO_TOOLS_VERSION"
fi
have="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("grpcio-tools"))')"
if [ "$have" != "$GRPCIO_TOOLS_VERSION" ]; then
  echo "gen_proto: $venv has grpcio-tools $have, want $GRPCIO_TOOLS_VERSION" >&2
  exit 1
fi

rm -f "$out"/*_pb2.py "$out"/*_pb2.pyi
cd "$root/proto"
"$venv/bin/python" -m grpc_tools.protoc -I . \
  --python_out="$root/src" --pyi_out="$root/src" \
  baton_alibaba_cloud/baton/pb/*.proto
# protoc's stubs accept a bare ``_Mapping`` (dict form of a message) in __init__, which
# mypy --strict rejects as a missing type argument; silence exactly that code in the stubs.
for stub in "$out"/*_pb2.pyi; do
  sed -i '1i # mypy: disable-error-code="type-arg"' "$stub"
done
echo "gen_proto: wrote $(ls "$out"/*_pb2.py | wc -l) modules to ${out#"$root"/}"
