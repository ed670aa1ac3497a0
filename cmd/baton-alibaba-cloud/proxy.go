package main

import (
	"context"
	"os"
	"slices"
	"sync"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
)

// proxy is baton-sdk's ConnectorServer, answered by the Python service: the services the
// Python side serves are forwarded unchanged (request, answer and gRPC status); the others
// are baton-sdk's "unimplemented".
type proxy struct {
	v2.UnimplementedResourceTypesServiceServer
	v2.UnimplementedResourcesServiceServer
	v2.UnimplementedEntitlementsServiceServer
	v2.UnimplementedGrantsServiceServer
	v2.UnimplementedConnectorServiceServer
	v2.UnimplementedAssetServiceServer
	v2.UnimplementedGrantManagerServiceServer
	v2.UnimplementedResourceManagerServiceServer
	v2.UnimplementedResourceDeleterServiceServer
	v2.UnimplementedAccountManagerServiceServer
	v2.UnimplementedCredentialManagerServiceServer
	v2.UnimplementedEventServiceServer
	v2.UnimplementedTicketsServiceServer
	v2.UnimplementedActionServiceServer
	v2.UnimplementedResourceGetterServiceServer

	cfg   childConfig
	once  sync.Once
	child *child
	err   error
}

func newProxy(cfg childConfig) *proxy {
	return &proxy{cfg: cfg}
}

// isConnectorService: this process is the one baton-sdk's runner started to serve the
// connector (its hidden `_connector-service` command).
func isConnectorService() bool {
	return slices.Contains(os.Args[1:], "_connector-service")
}

func (p *proxy) start() (*child, error) {
	p.once.Do(func() { p.child, p.err = startChild(p.cfg) })
	return p.child, p.err
}

// Close stops the Python service (baton-sdk closes connectors that have a Close method).
func (p *proxy) Close() error {
	if p.child != nil {
		p.child.close()
	}
	return nil
}

func (p *proxy) connector() v2.ConnectorServiceClient {
	return v2.NewConnectorServiceClient(p.child.conn)
}

func (p *proxy) GetMetadata(ctx context.Context, req *v2.ConnectorServiceGetMetadataRequest) (*v2.ConnectorServiceGetMetadataResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return p.connector().GetMetadata(ctx, req)
}

func (p *proxy) Validate(ctx context.Context, req *v2.ConnectorServiceValidateRequest) (*v2.ConnectorServiceValidateResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return p.connector().Validate(ctx, req)
}

func (p *proxy) Cleanup(ctx context.Context, req *v2.ConnectorServiceCleanupRequest) (*v2.ConnectorServiceCleanupResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return p.connector().Cleanup(ctx, req)
}

func (p *proxy) ListResourceTypes(ctx context.Context, req *v2.ResourceTypesServiceListResourceTypesRequest) (*v2.ResourceTypesServiceListResourceTypesResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return v2.NewResourceTypesServiceClient(p.child.conn).ListResourceTypes(ctx, req)
}

func (p *proxy) ListResources(ctx context.Context, req *v2.ResourcesServiceListResourcesRequest) (*v2.ResourcesServiceListResourcesResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return v2.NewResourcesServiceClient(p.child.conn).ListResources(ctx, req)
}

func (p *proxy) ListEntitlements(ctx context.Context, req *v2.EntitlementsServiceListEntitlementsRequest) (*v2.EntitlementsServiceListEntitlementsResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return v2.NewEntitlementsServiceClient(p.child.conn).ListEntitlements(ctx, req)
}

func (p *proxy) ListStaticEntitlements(ctx context.Context, req *v2.EntitlementsServiceListStaticEntitlementsRequest) (*v2.EntitlementsServiceListStaticEntitlementsResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return v2.NewEntitlementsServiceClient(p.child.conn).ListStaticEntitlements(ctx, req)
}

func (p *proxy) ListGrants(ctx context.Context, req *v2.GrantsServiceListGrantsRequest) (*v2.GrantsServiceListGrantsResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return v2.NewGrantsServiceClient(p.child.conn).ListGrants(ctx, req)
}

func (p *proxy) Grant(ctx context.Context, req *v2.GrantManagerServiceGrantRequest) (*v2.GrantManagerServiceGrantResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return v2.NewGrantManagerServiceClient(p.child.conn).Grant(ctx, req)
}

func (p *proxy) Revoke(ctx context.Context, req *v2.GrantManagerServiceRevokeRequest) (*v2.GrantManagerServiceRevokeResponse, error) {
	if _, err := p.start(); err != nil {
		return nil, err
	}
	return v2.NewGrantManagerServiceClient(p.child.conn).Revoke(ctx, req)
}
