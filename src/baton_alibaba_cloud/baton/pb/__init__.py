"""Generated ``c1.connector.v2`` protobuf messages (do not edit; run ``scripts/gen_proto.sh``).

The ``.proto`` sources live in ``proto/baton_alibaba_cloud/baton/pb/`` so that the generated
imports resolve inside this package, while the proto package stays ``c1.connector.v2``: Any
type URLs therefore read ``type.googleapis.com/c1.connector.v2.<Message>`` as the Go SDK expects.
"""
