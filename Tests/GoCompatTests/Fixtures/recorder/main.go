// Command recorder writes the Go-recorded fixtures under Tests/GoCompatTests/Fixtures: what Go
// itself answers for the inputs in inputs.json (and, for regexp and JSON, for the corpora Go and
// JSONTestSuite ship). Only the standard library is used, so it builds without a module proxy.
//
// Run it through ../record (which checks the Go release); never edit its output by hand.
//
//	go run . -inputs ../inputs.json -jsonsuite ../../../DatumJSONTests/Fixtures/JSONTestSuite -out ..
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

type inputs struct {
	Time       []string      `json:"time"`
	Quote      []string      `json:"quote"`
	Bool       []string      `json:"bool"`
	Int        []string      `json:"int"`
	Duration   []string      `json:"duration"`
	Base64     []string      `json:"base64"`
	Base64Hex  []string      `json:"base64EncodeHex"`
	TrimSpace  []string      `json:"trimSpace"`
	UTF8Hex    []string      `json:"utf8Hex"`
	Floats     []string      `json:"floats"`
	RegexpBad  []string      `json:"regexpErrors"`
	YAMLKeys   [][]string    `json:"yamlKeyOrder"`
	Sprintf    sprintfInputs `json:"sprintf"`
	RegexpMore []struct {
		Pattern string   `json:"pattern"`
		Inputs  []string `json:"inputs"`
	} `json:"regexp"`
}

func main() {
	inputsPath := flag.String("inputs", "inputs.json", "the hand-written inputs")
	suite := flag.String("jsonsuite", "", "JSONTestSuite's test_parsing folder")
	kubectl := flag.String("kubectl", "", "a kubectl 1.32 binary, for go-yaml's key order")
	out := flag.String("out", ".", "where the fixtures go")
	swiftTable := flag.String("swift", "", "where to write GoCompat's tables (strconv.IsPrint, regexp's \\p names)")
	flag.Parse()

	raw, err := os.ReadFile(*inputsPath)
	check(err)
	var in inputs
	check(json.Unmarshal(raw, &in))

	header := map[string]string{"go": runtime.Version()}
	if *swiftTable != "" {
		writeSwiftTables(*swiftTable)
	}
	write(filepath.Join(*out, "go-time-parse.json"), recordTime(in.Time))
	write(filepath.Join(*out, "go-strconv.json"), map[string]any{
		"recordedWith":  header,
		"formatFloat":   recordFloats(in.Floats),
		"quote":         recordQuote(in.Quote),
		"quoteChar":     recordQuoteChar(),
		"notPrintable":  recordNotPrintable(),
		"parseBool":     recordParse(in.Bool, func(s string) (any, error) { return strconv.ParseBool(s) }),
		"parseInt":      recordParse(in.Int, func(s string) (any, error) { return strconv.ParseInt(s, 0, 64) }),
		"parseDuration": recordParse(in.Duration, func(s string) (any, error) { d, err := time.ParseDuration(s); return int64(d), err }),
	})
	write(filepath.Join(*out, "go-base64.json"), map[string]any{
		"recordedWith": header,
		"decode":       recordBase64(in.Base64),
		"encode":       recordBase64Encode(in.Base64Hex),
	})
	write(filepath.Join(*out, "go-strings.json"), map[string]any{
		"recordedWith": header,
		"trimSpace":    recordTrimSpace(in.TrimSpace),
		"utf8":         recordUTF8(in.UTF8Hex),
	})
	write(filepath.Join(*out, "go-regexp.json"), map[string]any{
		"recordedWith": header,
		"search":       recordRegexpSearch(filepath.Join(runtime.GOROOT(), "src/regexp/testdata/re2-search.txt"), in),
		"errors":       recordRegexpErrors(in.RegexpBad),
	})
	write(filepath.Join(*out, "go-sprintf.json"), map[string]any{
		"recordedWith": header,
		"cases":        recordSprintf(in.Sprintf),
	})
	if *kubectl != "" {
		write(filepath.Join(*out, "kubectl-yaml-key-order.json"), map[string]any{
			"recordedWith": map[string]string{"kubectl": kubectlVersion(*kubectl)},
			"orders":       recordYAMLKeyOrder(*kubectl, in.YAMLKeys),
		})
	}
	if *suite != "" {
		write(filepath.Join(*out, "go-json-verdicts.json"), map[string]any{
			"recordedWith": header,
			"files":        recordJSONSuite(*suite),
		})
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "recorder:", err)
		os.Exit(1)
	}
}

// write encodes v as the fixtures are stored: two-space indent, no HTML escaping, a final newline.
func write(path string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	check(enc.Encode(v))
	check(os.WriteFile(path, buf.Bytes(), 0o644))
}

// --- time ---------------------------------------------------------------------------------------

type timeResult struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	Unix  *int64 `json:"unix,omitempty"`
	Nanos *int   `json:"nanos,omitempty"`
}

type timeRow struct {
	Input    string     `json:"input"`
	RFC3339  timeResult `json:"rfc3339"`
	Date     timeResult `json:"date"`
	DateTime bool       `json:"dateTime"`
}

func parseTime(layout, s string) timeResult {
	t, err := time.Parse(layout, s)
	if err != nil {
		return timeResult{Error: err.Error()}
	}
	unix, nanos := t.Unix(), t.Nanosecond()
	return timeResult{OK: true, Unix: &unix, Nanos: &nanos}
}

// kube-openapi's strfmt.IsDateTime (pkg/validation/strfmt/time.go), the OpenAPI "date-time" check
// of kube-apiserver: the date part must parse as "2006-01-02", the rest match this pattern, and
// hours, minutes and seconds compare as strings.
var rxDateTime = regexp.MustCompile(`^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$`)

func isDateTime(str string) bool {
	if len(str) < 4 {
		return false
	}
	s := strings.Split(strings.ToLower(str), "t")
	if len(s) < 2 {
		return false
	}
	if _, err := time.Parse("2006-01-02", s[0]); err != nil {
		return false
	}
	m := rxDateTime.FindAllStringSubmatch(s[1], -1)
	if len(m) == 0 || len(m[0]) == 0 {
		return false
	}
	return m[0][1] <= "23" && m[0][2] <= "59" && m[0][3] <= "59"
}

// verdictOnly keeps whether it parsed and Go's error (the date check needs no instant).
func verdictOnly(r timeResult) timeResult {
	return timeResult{OK: r.OK, Error: r.Error}
}

func recordTime(inputs []string) []timeRow {
	rows := []timeRow{}
	for _, s := range inputs {
		rows = append(rows, timeRow{
			Input: s, RFC3339: parseTime(time.RFC3339, s), Date: verdictOnly(parseTime("2006-01-02", s)),
			DateTime: isDateTime(s),
		})
	}
	return rows
}

// --- strconv ------------------------------------------------------------------------------------

type floatRow struct {
	Bits string `json:"bits"`
	G64  string `json:"g64"`
	G32  string `json:"g32"`
	JSON string `json:"json"`
}

// recordFloats formats the listed numbers and a fixed pseudo-random sample of bit patterns.
func recordFloats(listed []string) []floatRow {
	values := []float64{}
	for _, s := range listed {
		f, err := strconv.ParseFloat(s, 64)
		check(err)
		values = append(values, f)
	}
	for e := -30; e <= 30; e++ {
		values = append(values, math.Pow10(e), 1.5*math.Pow10(e), -7.25*math.Pow10(e))
	}
	state := uint64(0x9E3779B97F4A7C15)
	for i := 0; i < 400; i++ {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		f := math.Float64frombits(state)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		values = append(values, f)
	}
	rows := []floatRow{}
	for _, f := range values {
		row := floatRow{
			Bits: fmt.Sprintf("%016x", math.Float64bits(f)),
			G64:  strconv.FormatFloat(f, 'g', -1, 64),
			G32:  strconv.FormatFloat(f, 'g', -1, 32),
		}
		if b, err := json.Marshal(f); err == nil {
			row.JSON = string(b)
		}
		rows = append(rows, row)
	}
	return rows
}

func recordQuote(inputs []string) [][2]string {
	rows := [][2]string{}
	for _, s := range inputs {
		rows = append(rows, [2]string{s, strconv.Quote(s)})
	}
	return rows
}

// recordQuoteChar is encoding/json's quoteChar for every byte: how a syntax error names it.
func recordQuoteChar() []string {
	rows := []string{}
	for c := 0; c < 256; c++ {
		switch c {
		case '\'':
			rows = append(rows, `'\''`)
		case '"':
			rows = append(rows, `'"'`)
		default:
			q := strconv.Quote(string(rune(c)))
			rows = append(rows, "'"+q[1:len(q)-1]+"'")
		}
	}
	return rows
}

// recordNotPrintable lists the ranges of code points strconv.IsPrint refuses.
func recordNotPrintable() [][2]int {
	ranges := [][2]int{}
	start := -1
	for r := 0; r <= utf8.MaxRune+1; r++ {
		printable := r <= utf8.MaxRune && strconv.IsPrint(rune(r))
		if !printable && start < 0 && r <= utf8.MaxRune {
			start = r
		}
		if (printable || r > utf8.MaxRune) && start >= 0 {
			ranges = append(ranges, [2]int{start, r - 1})
			start = -1
		}
	}
	return ranges
}

// writeSwiftTables writes, as Swift source, the tables GoCompat takes from this Go release (they
// follow the Unicode version it ships): the ranges of recordNotPrintable, so quoting matches
// strconv.Quote, and the names regexp accepts after \p (regexp/syntax's unicodeTable: "Any", the
// general categories and the scripts).
func writeSwiftTables(path string) {
	var b strings.Builder
	b.WriteString("// Generated by Tests/GoCompatTests/Fixtures/record from " + runtime.Version() + " (Unicode " + unicode.Version + ");\n")
	b.WriteString("// do not edit.\n\n")
	b.WriteString("extension GoFormat {\n")
	b.WriteString("    /// First and last code point of each run that `strconv.IsPrint` refuses, in order.\n")
	b.WriteString("    static let notPrintableRanges: [UInt32] = [\n")
	for _, r := range recordNotPrintable() {
		fmt.Fprintf(&b, "        0x%X, 0x%X,\n", r[0], r[1])
	}
	b.WriteString("    ]\n}\n\n")
	names := []string{"Any"}
	for name := range unicode.Categories {
		names = append(names, name)
	}
	for name := range unicode.Scripts {
		names = append(names, name)
	}
	sort.Strings(names)
	b.WriteString("extension RegexParser {\n")
	b.WriteString("    /// The class names `regexp` accepts in `\\pN` and `\\p{Name}`.\n")
	b.WriteString("    static let unicodeClassNames: Set<String> = [\n")
	for _, name := range names {
		fmt.Fprintf(&b, "        %q,\n", name)
	}
	b.WriteString("    ]\n}\n")
	check(os.WriteFile(path, []byte(b.String()), 0o644))
}

type parseRow struct {
	Input string `json:"input"`
	Value any    `json:"value"`
	Error string `json:"error,omitempty"`
}

func recordParse(inputs []string, parse func(string) (any, error)) []parseRow {
	rows := []parseRow{}
	for _, s := range inputs {
		v, err := parse(s)
		if err != nil {
			rows = append(rows, parseRow{Input: s, Error: err.Error()})
		} else {
			rows = append(rows, parseRow{Input: s, Value: v})
		}
	}
	return rows
}

// --- base64 -------------------------------------------------------------------------------------

type decoded struct {
	Hex   *string `json:"hex,omitempty"`
	Error string  `json:"error,omitempty"`
}

func decodeWith(enc *base64.Encoding, s string) decoded {
	b, err := enc.DecodeString(s)
	if err != nil {
		return decoded{Error: err.Error()}
	}
	h := hex.EncodeToString(b)
	return decoded{Hex: &h}
}

func recordBase64(inputs []string) []map[string]any {
	rows := []map[string]any{}
	for _, s := range inputs {
		rows = append(rows, map[string]any{
			"input":        s,
			"std":          decodeWith(base64.StdEncoding, s),
			"stdStrict":    decodeWith(base64.StdEncoding.Strict(), s),
			"rawURL":       decodeWith(base64.RawURLEncoding, s),
			"rawURLStrict": decodeWith(base64.RawURLEncoding.Strict(), s),
		})
	}
	return rows
}

func recordBase64Encode(hexInputs []string) []map[string]string {
	rows := []map[string]string{}
	for _, h := range hexInputs {
		b, err := hex.DecodeString(h)
		check(err)
		rows = append(rows, map[string]string{
			"hex": h, "std": base64.StdEncoding.EncodeToString(b), "rawURL": base64.RawURLEncoding.EncodeToString(b),
		})
	}
	return rows
}

// --- strings and utf8 ---------------------------------------------------------------------------

func recordTrimSpace(inputs []string) [][2]string {
	rows := [][2]string{}
	for _, s := range inputs {
		rows = append(rows, [2]string{s, strings.TrimSpace(s)})
	}
	return rows
}

// recordUTF8 is what Go makes of bytes read as text: each byte utf8.DecodeRune refuses becomes
// one U+FFFD (ranging over a string, as encoding/json and the x/text decoder do).
func recordUTF8(hexInputs []string) [][2]string {
	rows := [][2]string{}
	for _, h := range hexInputs {
		b, err := hex.DecodeString(h)
		check(err)
		var out []byte
		for _, r := range string(b) {
			out = utf8.AppendRune(out, r)
		}
		rows = append(rows, [2]string{h, hex.EncodeToString(out)})
	}
	return rows
}

// --- regexp -------------------------------------------------------------------------------------

type regexpCase struct {
	Pattern string   `json:"pattern"`
	Error   string   `json:"error,omitempty"`
	Inputs  []string `json:"inputs"`
	Matches []bool   `json:"matches"`
}

// recordRegexpSearch takes the patterns and strings of Go's copy of RE2's search tests (the
// corpus Go's own regexp tests run) and records regexp.MatchString for each pair; strings that
// are not UTF-8 are left out (the fixtures are JSON text).
func recordRegexpSearch(path string, in inputs) []regexpCase {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	var strs []string
	cases := []regexpCase{}
	seen := map[string]bool{}
	inStrings := false
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case line == "strings":
			strs, inStrings = nil, true
		case line == "regexps":
			inStrings = false
		case strings.HasPrefix(line, `"`):
			s, err := strconv.Unquote(line)
			check(err)
			if inStrings {
				strs = append(strs, s)
			} else if !seen[s+"\x00"+strings.Join(strs, "\x00")] {
				seen[s+"\x00"+strings.Join(strs, "\x00")] = true
				cases = append(cases, match(s, strs))
			}
		}
	}
	check(scanner.Err())
	for _, extra := range in.RegexpMore {
		cases = append(cases, match(extra.Pattern, extra.Inputs))
	}
	return cases
}

func match(pattern string, strs []string) regexpCase {
	c := regexpCase{Pattern: pattern, Inputs: []string{}, Matches: []bool{}}
	re, err := regexp.Compile(pattern)
	if err != nil {
		c.Error = err.Error()
		return c
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			continue
		}
		c.Inputs = append(c.Inputs, s)
		c.Matches = append(c.Matches, re.MatchString(s))
	}
	return c
}

func recordRegexpErrors(patterns []string) [][2]string {
	rows := [][2]string{}
	for _, p := range patterns {
		_, err := regexp.Compile(p)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		rows = append(rows, [2]string{p, msg})
	}
	return rows
}

// --- encoding/json ------------------------------------------------------------------------------

type jsonVerdict struct {
	File   string     `json:"file"`
	Accept bool       `json:"accept"`
	Error  string     `json:"error,omitempty"`
	Stream jsonStream `json:"stream"`
}

type jsonStream struct {
	Values int    `json:"values"`
	Error  string `json:"error,omitempty"`
}

// recordJSONSuite is json.Unmarshal into interface{} over each JSONTestSuite file, as kubectl and
// the API server decode unstructured objects (sigs.k8s.io/json keeps encoding/json's syntax).
func recordJSONSuite(dir string) []jsonVerdict {
	entries, err := os.ReadDir(dir)
	check(err)
	names := []string{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	rows := []jsonVerdict{}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		check(err)
		row := jsonVerdict{File: name, Accept: true, Stream: streamVerdict(data)}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			row.Accept = false
			row.Error = err.Error()
		}
		rows = append(rows, row)
	}
	return rows
}

// streamVerdict reads the bytes as kubectl reads a JSON manifest stream: json.Decoder's Decode
// into raw messages (syntax only; numbers stay text) until the end. It records how many values
// were read and the error that ended the stream, if any.
func streamVerdict(data []byte) jsonStream {
	decoder := json.NewDecoder(bytes.NewReader(data))
	var out jsonStream
	for {
		var raw json.RawMessage
		err := decoder.Decode(&raw)
		if err == io.EOF {
			return out
		}
		if err != nil {
			out.Error = err.Error()
			return out
		}
		out.Values++
	}
}

// --- go-yaml's map key order, through kubectl ---------------------------------------------------

func kubectlVersion(kubectl string) string {
	out, err := exec.Command(kubectl, "version", "--client", "-o", "json").Output()
	check(err)
	var v struct {
		ClientVersion struct{ GitVersion string } `json:"clientVersion"`
	}
	check(json.Unmarshal(out, &v))
	return v.ClientVersion.GitVersion
}

// recordYAMLKeyOrder asks kubectl to print an object whose spec has the given keys (each mapped to
// its index) as YAML: kubectl writes maps through go-yaml v2, whose key order (keyList.Less) is what
// GoKeyOrder reproduces. The order is read back from the values.
func recordYAMLKeyOrder(kubectl string, sets [][]string) [][]string {
	orders := [][]string{}
	for _, keys := range sets {
		spec := map[string]int{}
		for i, k := range keys {
			spec[k] = i
		}
		object, err := json.Marshal(map[string]any{
			"apiVersion": "example.com/v1", "kind": "Thing", "metadata": map[string]any{"name": "x"}, "spec": spec,
		})
		check(err)
		cmd := exec.Command(kubectl, "annotate", "--local", "-f", "-", "recorded=yes", "-o", "yaml")
		cmd.Env = append(os.Environ(), "KUBECONFIG=/dev/null")
		cmd.Stdin = bytes.NewReader(object)
		out, err := cmd.Output()
		check(err)
		order := []string{}
		inSpec := false
		for _, line := range strings.Split(string(out), "\n") {
			if line == "spec:" {
				inSpec = true
				continue
			}
			if !inSpec || !strings.HasPrefix(line, "  ") {
				inSpec = false
				continue
			}
			colon := strings.LastIndex(line, ": ")
			i, err := strconv.Atoi(line[colon+2:])
			check(err)
			order = append(order, keys[i])
		}
		if len(order) != len(keys) {
			check(fmt.Errorf("kubectl printed %d of %d keys:\n%s", len(order), len(keys), out))
		}
		orders = append(orders, order)
	}
	return orders
}

// --- fmt.Sprintf ------------------------------------------------------------------------------

// sprintfInputs are fmt.Sprintf cases: every format with every value as its one argument, and the
// listed cases. An argument is an object with one key, the Go type it becomes: "int" (what a
// template's integer literal is), "int64", "float64" (a number or "NaN", "+Inf", "-Inf"), "string",
// "bool", "nil", or "slice" and "map", decoded as kubectl decodes an object (integers int64,
// other numbers float64, into []interface{} and map[string]interface{}).
type sprintfInputs struct {
	Formats []string          `json:"formats"`
	Values  []json.RawMessage `json:"values"`
	Cases   []struct {
		Format string            `json:"format"`
		Args   []json.RawMessage `json:"args"`
	} `json:"cases"`
}

type sprintfResult struct {
	Format string            `json:"format"`
	Args   []json.RawMessage `json:"args"`
	Output string            `json:"output"`
}

func recordSprintf(in sprintfInputs) []sprintfResult {
	var out []sprintfResult
	add := func(format string, args []json.RawMessage) {
		values := make([]any, len(args))
		for i, raw := range args {
			values[i] = sprintfArg(raw)
		}
		text := fmt.Sprintf(format, values...)
		if !utf8.ValidString(text) {
			check(fmt.Errorf("Sprintf(%q) is not UTF-8; leave such cases out", format))
		}
		out = append(out, sprintfResult{Format: format, Args: args, Output: text})
	}
	for _, format := range in.Formats {
		for _, value := range in.Values {
			add(format, []json.RawMessage{value})
		}
	}
	for _, c := range in.Cases {
		add(c.Format, c.Args)
	}
	return out
}

func sprintfArg(raw json.RawMessage) any {
	var typed map[string]json.RawMessage
	check(json.Unmarshal(raw, &typed))
	if len(typed) != 1 {
		check(fmt.Errorf("an argument has one key, its type: %s", raw))
	}
	for kind, value := range typed {
		switch kind {
		case "nil":
			return nil
		case "int":
			var i int
			check(json.Unmarshal(value, &i))
			return i
		case "int64":
			var i int64
			check(json.Unmarshal(value, &i))
			return i
		case "float64":
			var word string
			if json.Unmarshal(value, &word) == nil {
				switch word {
				case "NaN":
					return math.NaN()
				case "+Inf":
					return math.Inf(1)
				case "-Inf":
					return math.Inf(-1)
				}
				check(fmt.Errorf("unknown float64 %q", word))
			}
			var f float64
			check(json.Unmarshal(value, &f))
			return f
		case "string":
			var s string
			check(json.Unmarshal(value, &s))
			return s
		case "bool":
			var b bool
			check(json.Unmarshal(value, &b))
			return b
		case "slice", "map":
			decoder := json.NewDecoder(bytes.NewReader(value))
			decoder.UseNumber()
			var v any
			check(decoder.Decode(&v))
			return unstructured(v)
		default:
			check(fmt.Errorf("unknown argument type %q", kind))
		}
	}
	return nil
}

// unstructured turns json.Number into int64 when it is an integer and float64 otherwise, as
// kubectl's unstructured decoding does.
func unstructured(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, err := v.Float64()
		check(err)
		return f
	case []any:
		for i := range v {
			v[i] = unstructured(v[i])
		}
		return v
	case map[string]any:
		for k := range v {
			v[k] = unstructured(v[k])
		}
		return v
	}
	return v
}
