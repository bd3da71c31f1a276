// A service written in Go with grpc-go, the way the services of the Open Integration catalog were
// written, sharing nothing with oi but the protocol (its stubs are generated from oi's service.proto
// by protoc --go_out=plugins=grpc).
//
// Endpoint "greet" is typed: its schemas are in the init answer under the original catalog's
// packr-style keys ("endpoints/greet/arguments.json"), next to a "types/..." key that is no endpoint
// schema. Endpoint "shout" is served but left out of the init answer: it is untyped.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	v1 "github.com/open-integration/core/pkg/api/v1"
	"google.golang.org/grpc"
)

const greetArguments = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"name": {"type": "string"}},
  "required": ["name"],
  "additionalProperties": false
}`

const greetReturns = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"greeting": {"type": "string"}},
  "required": ["greeting"]
}`

const greetingType = `{"type": "string", "description": "a shared type, not an endpoint schema"}`

type server struct{}

func (server) Init(ctx context.Context, request *v1.InitRequest) (*v1.InitResponse, error) {
	return &v1.InitResponse{JsonSchemas: map[string]string{
		"endpoints/greet/arguments.json": greetArguments,
		"endpoints/greet/returns.json":   greetReturns,
		"types/greeting.json":            greetingType,
	}}, nil
}

func (server) Call(ctx context.Context, request *v1.CallRequest) (*v1.CallResponse, error) {
	arguments := map[string]interface{}{}
	if err := json.Unmarshal([]byte(request.Arguments), &arguments); err != nil {
		return failure("arguments are not a JSON object: " + err.Error()), nil
	}
	var payload interface{}
	switch request.Endpoint {
	case "greet":
		name, _ := arguments["name"].(string)
		payload = map[string]string{"greeting": "hello, " + name}
		logTo(request.Fd, "greeting "+name)
	case "shout":
		text, _ := arguments["text"].(string)
		payload = map[string]interface{}{"shouted": strings.ToUpper(text), "length": len(text)}
	default:
		return failure("unknown endpoint " + request.Endpoint), nil
	}
	encoded, err := json.Marshal(payload)
	if err != nil {
		return failure(err.Error()), nil
	}
	return &v1.CallResponse{Status: v1.Status_OK, Payload: string(encoded)}, nil
}

func failure(message string) *v1.CallResponse {
	return &v1.CallResponse{Status: v1.Status_Error, Error: message}
}

// logTo appends a line to the task's log file, as the original services wrote to fd.
func logTo(path string, line string) {
	if path == "" {
		return
	}
	file, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0644)
	if err != nil {
		return
	}
	defer file.Close()
	fmt.Fprintln(file, line)
}

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	grpcServer := grpc.NewServer()
	v1.RegisterServiceServer(grpcServer, server{})
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		grpcServer.GracefulStop()
	}()
	if err := grpcServer.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
