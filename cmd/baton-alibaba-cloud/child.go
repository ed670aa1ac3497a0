package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
)

// readyTimeout bounds the wait for the child's ready line (an interpreter starting on a busy
// machine takes seconds, not minutes).
const readyTimeout = 2 * time.Minute

const maxMessage = 64 << 20

// child is one running `baton-alibaba-cloud serve` on a unix socket in a private directory.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	dir   string
	conn  *grpc.ClientConn
	tail  *lastLine
	done  chan struct{}
}

// startChild runs the Python service and connects to it. The child stops when its stdin
// closes (this process exited, however it exited) and, on Linux, when this process dies.
func startChild(cfg childConfig) (*child, error) {
	if len(cfg.command) == 0 {
		return nil, errors.New("--connector-command is empty; set it to the Python connector's command")
	}
	dir, err := os.MkdirTemp("", "baton-alibaba-cloud-")
	if err != nil {
		return nil, fmt.Errorf("cannot create the service's socket directory: %w", err)
	}
	socket := filepath.Join(dir, "serve.sock")
	args := append(append([]string{}, cfg.command[1:]...), "serve", "--socket", socket,
		"--stop-on-stdin-eof")
	if cfg.provisioning {
		args = append(args, "--provisioning")
	}
	cmd := exec.Command(cfg.command[0], args...) // #nosec G204 -- the operator's configured command
	cmd.Env = append(os.Environ(), cfg.env...)
	setParentDeathSignal(cmd)
	c := &child{cmd: cmd, dir: dir, tail: &lastLine{}, done: make(chan struct{})}
	if err := c.start(socket); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *child) start(socket string) error {
	stdin, err := c.cmd.StdinPipe()
	if err != nil {
		return err
	}
	c.stdin = stdin
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	c.cmd.Stderr = io.MultiWriter(os.Stderr, c.tail)
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("cannot start the connector service (%s): %w", c.cmd.Path, err)
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	address, err := c.waitReady(stdout)
	if err != nil {
		return err
	}
	go func() { _, _ = io.Copy(os.Stderr, stdout) }()
	conn, err := grpc.NewClient(address,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithIdleTimeout(0), // one connection for the child's life: the path goes next
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage),
			grpc.MaxCallSendMsgSize(maxMessage)))
	if err != nil {
		return fmt.Errorf("cannot connect to the connector service at %s: %w", socket, err)
	}
	c.conn = conn
	if err := waitConnected(conn); err != nil {
		return fmt.Errorf("cannot connect to the connector service at %s: %w", socket, err)
	}
	// Connected: the socket's path is no longer needed. Removing it now leaves nothing behind
	// even when baton-sdk ends this process with os.Exit, and nobody else can connect.
	return os.RemoveAll(c.dir)
}

// waitConnected connects at once (a client connects lazily) and waits until it is ready.
func waitConnected(conn *grpc.ClientConn) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn.Connect()
	for {
		state := conn.GetState()
		if state == connectivity.Ready {
			return nil
		}
		if !conn.WaitForStateChange(ctx, state) {
			return fmt.Errorf("still %s after 30 s", state)
		}
	}
}

// waitReady reads the one JSON ready line ({"address": ...}) the service prints when it
// listens; if the service exits first, its last error line says why.
func (c *child) waitReady(stdout io.Reader) (string, error) {
	type ready struct {
		Address string `json:"address"`
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		var r ready
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Address == "" {
			<-c.done
			return "", c.exitError()
		}
		return r.Address, nil
	case <-c.done:
		return "", c.exitError()
	case <-time.After(readyTimeout):
		return "", fmt.Errorf("the connector service did not start within %s", readyTimeout)
	}
}

func (c *child) exitError() error {
	why := strings.TrimPrefix(c.tail.get(), "Error: ")
	if why == "" {
		why = "no error message"
	}
	return fmt.Errorf("the connector service exited (%s): %s", c.cmd.ProcessState, why)
}

// close disconnects and ends the service (stdin closes, then SIGINT, then SIGKILL after 10 s).
func (c *child) close() {
	if c.conn != nil {
		_ = c.conn.Close()
	}
	if c.stdin != nil {
		_ = c.stdin.Close()
	}
	if c.cmd.Process != nil {
		select {
		case <-c.done:
		case <-time.After(2 * time.Second):
			_ = c.cmd.Process.Signal(os.Interrupt)
			select {
			case <-c.done:
			case <-time.After(10 * time.Second):
				_ = c.cmd.Process.Kill()
				<-c.done
			}
		}
	}
	_ = os.RemoveAll(c.dir)
}

// lastLine keeps the child's one-line error: the last plain line written to it, or the
// message of the last JSON record at level "error" (the final record our JSON logs end with).
type lastLine struct {
	mu      sync.Mutex
	partial string
	last    string
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	text := l.partial + string(p)
	parts := strings.Split(text, "\n")
	l.partial = parts[len(parts)-1]
	for _, line := range parts[:len(parts)-1] {
		if msg, ok := errorText(line); ok {
			l.last = msg
		}
	}
	return len(p), nil
}

func (l *lastLine) get() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if msg, ok := errorText(l.partial); ok && l.last == "" {
		return msg
	}
	return l.last
}

// errorText is a line's error text: a plain line as it is, a JSON log record's message when
// its level is "error"; ok is false for anything else (info lines, blank lines).
func errorText(line string) (string, bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", false
	}
	if !strings.HasPrefix(line, "{") {
		return line, true
	}
	var record struct {
		Level string `json:"level"`
		Msg   string `json:"msg"`
	}
	if json.Unmarshal([]byte(line), &record) != nil || record.Level != "error" || record.Msg == "" {
		return "", false
	}
	return record.Msg, true
}
