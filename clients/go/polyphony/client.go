// Package polyphony is the typed Go client for Polyphony: the four services (media, flow, analysis,
// trigger) over native gRPC through the Envoy port, on the stubs generated from proto/ by
// protoc-gen-go and protoc-gen-go-grpc (generated/go).
//
//	client, err := polyphony.Dial("localhost:8080", polyphony.WithToken(token))
//	if err != nil { ... }
//	defer client.Close()
//	page, err := client.Media.ListTracks(ctx, &mediav1.ListTracksRequest{Limit: 5})
package polyphony

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	analysisv1 "polyphony/generated/go/polyphony/api/analysis/v1"
	flowv1 "polyphony/generated/go/polyphony/api/flow/v1"
	mediav1 "polyphony/generated/go/polyphony/api/media/v1"
	triggerv1 "polyphony/generated/go/polyphony/api/trigger/v1"
)

// Client holds one connection and a stub per service.
type Client struct {
	Conn     *grpc.ClientConn
	Media    mediav1.MediaServiceClient
	Flow     flowv1.FlowServiceClient
	Analysis analysisv1.AnalysisServiceClient
	Trigger  triggerv1.TriggerServiceClient
}

type options struct {
	token string
	tls   credentials.TransportCredentials
	extra []grpc.DialOption
}

// Option configures Dial.
type Option func(*options)

// WithToken sends `authorization: Bearer <token>` with every call (writes need a write token).
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithTransportCredentials uses TLS (or other transport credentials) instead of plaintext h2c.
func WithTransportCredentials(c credentials.TransportCredentials) Option {
	return func(o *options) { o.tls = c }
}

// WithDialOptions passes further grpc.DialOptions through.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.extra = append(o.extra, opts...) }
}

// bearer attaches the token as per-RPC metadata.
type bearer struct {
	token  string
	secure bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.secure }

// Dial connects to Polyphony's Envoy port (host:port, the same port that serves REST).
func Dial(target string, opts ...Option) (*Client, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	// grpc-go 1.33 (Debian's) spells plaintext h2c WithInsecure; newer releases also offer insecure.NewCredentials.
	dial := []grpc.DialOption{grpc.WithInsecure()}
	if o.tls != nil {
		dial = []grpc.DialOption{grpc.WithTransportCredentials(o.tls)}
	}
	if o.token != "" {
		dial = append(dial, grpc.WithPerRPCCredentials(bearer{token: o.token, secure: o.tls != nil}))
	}
	dial = append(dial, o.extra...)
	conn, err := grpc.Dial(target, dial...)
	if err != nil {
		return nil, fmt.Errorf("polyphony: dial %s: %w", target, err)
	}
	return &Client{
		Conn:     conn,
		Media:    mediav1.NewMediaServiceClient(conn),
		Flow:     flowv1.NewFlowServiceClient(conn),
		Analysis: analysisv1.NewAnalysisServiceClient(conn),
		Trigger:  triggerv1.NewTriggerServiceClient(conn),
	}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.Conn.Close() }
