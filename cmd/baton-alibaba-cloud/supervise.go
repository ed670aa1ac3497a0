package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Why a supervisor: baton-sdk v0.26.0's runner cancels its context when Run returns, which
// kills the connector subprocess it started; the goroutine waiting on that subprocess then
// sees a killed child under a cancelled context, takes it for a normal shutdown and calls
// os.Exit(0). When Run returned an error, that races with this program's own exit(1), and
// a failed sync could end with status 0 about half the time. A failure cannot be told from
// inside the racing process, so this process runs the command as a child and decides the
// status from what it did: its own status, or 1 when baton-sdk logged that the run failed
// (the one-shot runner's "runner: error processing on-demand task", written before the race,
// or pkg/cli's "error running connector") even though the child exited 0.

const (
	innerEnv      = "BATON_ALIBABA_CLOUD_SUPERVISED"
	failedMessage = "error running connector"
	// logged by the one-shot runner before it returns the error, so before the race
	taskFailedMessage = "runner: error processing on-demand task"
	// how long the child's standard error may stay open after it exited (its own children
	// hold it until the kernel ends them)
	drainTimeout = 5 * time.Second
)

// failure reports whether a log message is one of baton-sdk's records of a failed run.
func failure(msg string) bool {
	return msg == failedMessage || msg == taskFailedMessage
}

// supervised reports whether this process is the supervisor's child (or baton-sdk's
// connector subprocess, which inherits the environment): those run the command themselves.
func supervised() bool {
	return os.Getenv(innerEnv) != ""
}

// supervise runs this program again as a child with the same arguments, passes its output
// through, forwards interrupts, and returns the status to exit with.
func supervise() int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error: cannot find this program's path:", err)
		return 1
	}
	cmd := exec.Command(self, os.Args[1:]...) // #nosec G204 -- this very program
	cmd.Env = append(os.Environ(), innerEnv+"=1")
	cmd.Stdin, cmd.Stdout = os.Stdin, os.Stdout
	setParentDeathSignal(cmd)
	// our own pipe, not StderrPipe: Wait closes that one at the child's exit, losing the
	// last lines still in it, which are the ones that tell a failure
	read, write, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		return 1
	}
	cmd.Stderr = write
	err = cmd.Start()
	_ = write.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error: cannot start", self+":", err)
		return 1
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	watch := watchStderr(read)
	waitErr := cmd.Wait()
	select {
	case <-watch.done:
	case <-time.After(drainTimeout):
	}
	return exitStatus(waitErr, watch.outcome())
}

// outcome is what the child's standard error said: whether baton-sdk logged a failed run,
// its error text, and whether the child printed its own final "Error:" line.
type outcome struct {
	failed  bool
	reason  string
	printed bool
}

// watcher copies the child's standard error through, line by line, noting the outcome.
type watcher struct {
	mu   sync.Mutex
	seen outcome
	done chan struct{}
}

func (w *watcher) outcome() outcome {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen
}

// watchStderr starts copying; done closes at the end of the child's standard error.
func watchStderr(r io.Reader) *watcher {
	w := &watcher{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		reader := bufio.NewReader(r)
		for {
			line, err := reader.ReadString('\n')
			if line != "" {
				_, _ = io.WriteString(os.Stderr, line)
				w.mu.Lock()
				note(&w.seen, strings.TrimSpace(line))
				w.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	return w
}

// note records a failed run from baton-sdk's record of it (JSON or console format).
func note(seen *outcome, line string) {
	if strings.HasPrefix(line, "Error: ") {
		seen.printed = seen.failed // the final line comes after baton-sdk's record
		return
	}
	if !strings.Contains(line, failedMessage) && !strings.Contains(line, taskFailedMessage) {
		return
	}
	var record struct {
		Msg   string `json:"msg"`
		Error string `json:"error"`
	}
	if strings.HasPrefix(line, "{") {
		if json.Unmarshal([]byte(line), &record) == nil && failure(record.Msg) {
			seen.failed, seen.reason = true, record.Error
		}
		return
	}
	// console: "<time>\tERROR\t<caller>\terror running connector\t{"error": "..."}"
	fields := strings.SplitN(line, "\t", 5)
	if len(fields) == 5 && failure(fields[3]) {
		seen.failed = true
		if json.Unmarshal([]byte(fields[4]), &record) == nil {
			seen.reason = record.Error
		}
	}
}

// exitStatus: the child's own non-zero status, else 1 when baton-sdk logged a failed run,
// else 0; a failed run always ends with its one-line error, printed here when the child was
// ended before printing it.
func exitStatus(waitErr error, seen outcome) int {
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		code = exit.ExitCode()
		if code <= 0 {
			code = 1 // ended by a signal
		}
	case waitErr != nil:
		fmt.Fprintln(os.Stderr, "Error:", waitErr)
		return 1
	case seen.failed:
		code = 1
	}
	if seen.failed && !seen.printed {
		reason := seen.reason
		if reason == "" {
			reason = failedMessage
		}
		fmt.Fprintln(os.Stderr, "Error:", oneLine(errors.New(reason)))
	}
	return code
}
