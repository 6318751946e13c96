// Command polyphony-tour walks three Polyphony services with the typed Go client and prints what it
// gets as JSON lines (the test suite drives it against a running server):
//
//	polyphony-tour tracks  [-limit N]                       MediaService.ListTracks
//	polyphony-tour segment -flow UUID -source UUID          FlowService: PutFlow, AllocateStorage,
//	                                                        UploadObject, CreateSegments, ListSegments
//	polyphony-tour cues    -project UUID [-count N]         TriggerService.Subscribe
//
// The server comes from POLYPHONY_TARGET (default localhost:8080), the token from POLYPHONY_TOKEN.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"polyphony/clients/go/polyphony"
	flowv1 "polyphony/generated/go/polyphony/api/flow/v1"
	mediav1 "polyphony/generated/go/polyphony/api/media/v1"
	triggerv1 "polyphony/generated/go/polyphony/api/trigger/v1"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: polyphony-tour tracks|segment|cues [flags]"))
	}
	target := os.Getenv("POLYPHONY_TARGET")
	if target == "" {
		target = "localhost:8080"
	}
	client, err := polyphony.Dial(target, polyphony.WithToken(os.Getenv("POLYPHONY_TOKEN")))
	if err != nil {
		fail(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	switch os.Args[1] {
	case "tracks":
		limit := flags.Int("limit", 5, "page size")
		_ = flags.Parse(os.Args[2:])
		err = tracks(ctx, client, int32(*limit))
	case "segment":
		flowID := flags.String("flow", "", "flow UUID to create")
		sourceID := flags.String("source", "", "source UUID of the flow")
		_ = flags.Parse(os.Args[2:])
		err = segment(ctx, client, *flowID, *sourceID)
	case "cues":
		project := flags.String("project", "", "Open Theater project UUID")
		count := flags.Int("count", 1, "cues to wait for")
		_ = flags.Parse(os.Args[2:])
		err = cues(ctx, client, *project, *count)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	var rpc interface{ GRPCStatus() *status.Status } // a gRPC status, possibly wrapped with context
	if errors.As(err, &rpc) {
		emit(map[string]any{"error": rpc.GRPCStatus().Code().String(), "message": err.Error()})
	} else {
		emit(map[string]any{"error": err.Error()})
	}
	os.Exit(1)
}

func emit(v any) {
	line, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(line))
}

func tracks(ctx context.Context, c *polyphony.Client, limit int32) error {
	page, err := c.Media.ListTracks(ctx, &mediav1.ListTracksRequest{Limit: limit, Sort: "title"})
	if err != nil {
		return err
	}
	for _, t := range page.Data {
		emit(map[string]any{"id": t.Id, "title": t.Attributes.GetTitle(), "artist": t.Attributes.GetArtist()})
	}
	emit(map[string]any{"tracks": len(page.Data)})
	return nil
}

func segment(ctx context.Context, c *polyphony.Client, flowID, sourceID string) error {
	essence, err := structpb.NewStruct(map[string]any{"sample_rate": 48000, "channels": 1, "bit_depth": 16})
	if err != nil {
		return err
	}
	flow, err := c.Flow.PutFlow(ctx, &flowv1.PutFlowRequest{FlowId: flowID, Flow: &flowv1.Flow{
		Id: flowID, SourceId: sourceID, Format: "urn:x-nmos:format:audio",
		Codec: proto.String("audio/wav"), Container: proto.String("audio/wav"), EssenceParameters: essence,
		Label: proto.String("made by the Go client"),
	}})
	if err != nil {
		return fmt.Errorf("PutFlow: %w", err)
	}
	storage, err := c.Flow.AllocateStorage(ctx, &flowv1.AllocateStorageRequest{FlowId: flowID, Limit: proto.Int32(1)})
	if err != nil {
		return fmt.Errorf("AllocateStorage: %w", err)
	}
	if len(storage.MediaObjects) != 1 {
		return fmt.Errorf("AllocateStorage: %d objects for limit 1", len(storage.MediaObjects))
	}
	object := storage.MediaObjects[0]
	put, err := url.Parse(object.PutUrl.Fields["url"].GetStringValue())
	if err != nil {
		return err
	}
	// The presigned PUT URL's query carries the signature; UploadObject streams the bytes over gRPC.
	upload, err := c.Flow.UploadObject(ctx)
	if err != nil {
		return fmt.Errorf("UploadObject: %w", err)
	}
	payload := make([]byte, 96000) // one second of 48 kHz mono 16-bit silence, sent in 3 chunks
	for i := 0; i < 3; i++ {
		req := &flowv1.UploadObjectRequest{Body: &httpbody.HttpBody{Data: payload[i*32000 : (i+1)*32000]}}
		if i == 0 {
			req.ObjectId = object.ObjectId
			req.Expires = put.Query().Get("expires")
			req.Signature = put.Query().Get("signature")
			req.Body.ContentType = "audio/wav"
		}
		if err := upload.Send(req); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("UploadObject send: %w", err)
		}
	}
	uploaded, err := upload.CloseAndRecv()
	if err != nil {
		return fmt.Errorf("UploadObject: %w", err)
	}
	segments, err := structpb.NewValue([]any{map[string]any{"object_id": object.ObjectId, "timerange": "[0:0_1:0)"}})
	if err != nil {
		return err
	}
	created, err := c.Flow.CreateSegments(ctx, &flowv1.CreateSegmentsRequest{FlowId: flowID, Segments: segments})
	if err != nil {
		return fmt.Errorf("CreateSegments: %w", err)
	}
	if len(created.FailedSegments) > 0 {
		return fmt.Errorf("CreateSegments: %d failed segments", len(created.FailedSegments))
	}
	listed, err := c.Flow.ListSegments(ctx, &flowv1.ListSegmentsRequest{FlowId: flowID})
	if err != nil {
		return fmt.Errorf("ListSegments: %w", err)
	}
	ranges := []string{}
	for _, s := range listed.Segments {
		ranges = append(ranges, s.Timerange)
	}
	emit(map[string]any{"flow": flow.Id, "object": object.ObjectId, "size": uploaded.Size, "segments": ranges})
	return nil
}

func cues(ctx context.Context, c *polyphony.Client, project string, count int) error {
	stream, err := c.Trigger.Subscribe(ctx, &triggerv1.SubscribeRequest{ProjectUuid: project})
	if err != nil {
		return fmt.Errorf("Subscribe: %w", err)
	}
	if _, err := stream.Header(); err != nil { // the server sends headers once the subscription is live
		return fmt.Errorf("Subscribe: %w", err)
	}
	emit(map[string]any{"subscribed": project})
	for i := 0; i < count; i++ {
		reply, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("Subscribe: %w", err)
		}
		// the payload is a google.protobuf.Struct (a JSON object), the sequence a float64 holding a whole number
		emit(map[string]any{"sequence": int64(reply.Cue.GetSequence()), "payload": reply.Cue.GetPayload().AsMap()})
	}
	return nil
}
