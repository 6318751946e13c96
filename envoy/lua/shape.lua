-- Polyphony edge shape filter. Runs BEFORE the gRPC-JSON transcoder, so on the way back it sees the
-- transcoded HTTP answer. It does what transcoding cannot (see DESIGN.md section 4):
--   * success codes other than 200 (server sends `x-http-status`), spec-shaped error bodies
--     (server sends `x-error-body`), and the transcoder's own text/plain errors wrapped per route family;
--   * HEAD on every GET route (HEAD -> GET on the way in, empty body on the way out);
--   * content type per route family, removal of grpc-* headers from HTTP answers;
--   * 413 for oversized bodies on non-upload routes (chunked ones too), 431 for oversized headers;
--   * edge-internal headers (x-edge-*, x-envoy-original-*) only ever set here, never by a client.
-- Native gRPC (application/grpc*) passes untouched.

local MAX_BODY = __MAX_BODY__
-- REST request headers above this answer 431 in the family's shape (Envoy's own, higher limit answers
-- anything beyond in a generic shape: it cannot tell the family of a request it could not parse).
local MAX_HEADER_BYTES = __MAX_HEADER_BYTES__
-- Proves to the server that a request came through this filter (see polyphony.core.edge_key).
local EDGE_KEY = "__EDGE_KEY__"
-- Routes whose bodies stream to the server (uploads): no size cap here.
local STREAMED = { __STREAMED__ }

-- Rendered from the service registry (polyphony.app.SERVICES) by polyphony.edge.envoy_config:
-- {REST path prefix, route family} of every service, and each family's JSON content type.
local FAMILIES = { __FAMILIES__ }
local CONTENT_TYPES = { __CONTENT_TYPES__ }
local GENERIC = "__GENERIC__"
-- Every error body this filter writes is rendered by polyphony.core.errors.render_error (the same code that
-- renders the server's own errors): ERRORS[family][status] is the document with \1 where the detail goes
-- and \2 where the time goes, each as a JSON string.
local ERRORS = {
  __ERRORS__
}
local PHRASES = { __PHRASES__ }

local function jstr(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == '\\' then return '\\\\' end
    return string.format('\\u%04x', string.byte(c))
  end)
  return '"' .. s .. '"'
end

local function family_of(path)
  path = string.match(path, "^[^?]*")
  for _, rule in ipairs(FAMILIES) do
    local prefix = rule[1]
    if path == prefix or string.sub(path, 1, #prefix + 1) == prefix .. "/" then return rule[2] end
  end
  return GENERIC
end

local function content_type_of(family)
  return CONTENT_TYPES[family] or "application/json"
end

-- The error document for a family and status (see ERRORS).
local function error_body(family, status, detail)
  local forms = ERRORS[family] or ERRORS[GENERIC]
  local template = forms[status] or forms[500]
  local body = string.gsub(template, "[\1\2]", function(mark)
    if mark == "\1" then return jstr(detail) end
    return '"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '"'
  end)
  return body
end

-- Answer here, in the family's shape; marked so that envoy_on_response leaves the answer as it is.
-- (Objects taken from h before h:body() are out of scope after it: everything is fetched afresh here.)
local function respond_error(h, family, status, detail)
  h:streamInfo():dynamicMetadata():set("edge", "answered", "1")
  h:respond({[":status"] = tostring(status), ["content-type"] = content_type_of(family)},
    error_body(family, status, detail))
end

-- Only the edge may set x-edge-* and the transcoder's x-envoy-original-* facts: drop what a client sent.
-- Returns the size of the request headers (names and values), measured in the same pass.
local function strip_edge_internal(hd)
  local drop = {}
  local size = 0
  for k, v in pairs(hd) do
    size = size + #k + #v
    if string.sub(k, 1, 7) == "x-edge-" or string.sub(k, 1, 17) == "x-envoy-original-" then
      drop[#drop + 1] = k
    end
  end
  for _, k in ipairs(drop) do hd:remove(k) end
  return size
end

local function streamed(method, path)
  path = string.match(path, "^[^?]*")
  for _, rule in ipairs(STREAMED) do
    if method == rule[1] and string.match(path, rule[2]) then return true end
  end
  return false
end

function envoy_on_request(h)
  local hd = h:headers()
  local header_bytes = strip_edge_internal(hd)
  local ct = hd:get("content-type") or ""
  local dm = h:streamInfo():dynamicMetadata()
  if string.sub(ct, 1, 16) == "application/grpc" then
    dm:set("edge", "grpc", "1")
    hd:remove("x-edge-host")  -- only this filter speaks for the edge
    hd:remove("x-edge-peer")
    return
  end
  hd:replace("x-edge-key", EDGE_KEY)
  local path = hd:get(":path") or "/"
  local family = family_of(path)
  dm:set("edge", "family", family)
  if header_bytes > MAX_HEADER_BYTES then
    respond_error(h, family, 431, "request headers larger than " .. MAX_HEADER_BYTES .. " bytes")
    return
  end
  hd:replace("x-edge-host", hd:get(":authority") or "")
  -- the address the connection came from, as Envoy saw it: X-Forwarded-* count only from trusted proxies
  hd:replace("x-edge-peer", h:streamInfo():downstreamDirectRemoteAddress() or "")
  local method = hd:get(":method")
  local length = tonumber(hd:get("content-length") or "0") or 0
  if length > MAX_BODY and not streamed(method, path) then
    respond_error(h, family, 413, "request body larger than " .. MAX_BODY .. " bytes")
    return
  end
  -- A body whose last token has no end mark (a bare number such as `5000`, as PUT .../max_bit_rate sends,
  -- `true`, or a truncated `5.`) hangs the transcoder's streaming JSON parser, which waits for the token to
  -- end; it parses every body as JSON whatever its content type (text/plain, none) or framing (chunked).
  -- So every body of a transcoded route that ends inside a token is closed with a newline (JSON
  -- whitespace). Upload routes stream their bytes and are never buffered here.
  -- Gathering the body here also bounds it: a body without a length (chunked, or HTTP/2 without
  -- content-length) would otherwise be gathered whole by the transcoder, unbounded. The edge.gather
  -- filter before this one gathers it in Envoy's non-streaming mode, which answers 413 past its buffer
  -- limit (a small multiple of MAX_BODY, see polyphony.edge.envoy_config.gather_limit), nothing sent on;
  -- a complete body over MAX_BODY is refused here.
  local has_body = length > 0 or hd:get("transfer-encoding") ~= nil
    or (hd:get("content-length") == nil and method ~= "GET" and method ~= "HEAD")
  if has_body and not streamed(method, path) then
    local b = h:body()  -- (hd and dm are out of scope from here on: h:headers() gives them afresh)
    local size = b ~= nil and b:length() or 0
    if size > MAX_BODY then
      respond_error(h, family, 413, "request body larger than " .. MAX_BODY .. " bytes")
      return
    end
    if size > 0 and string.match(b:getBytes(size - 1, 1), "[%w%.%+%-]") then
      b:setBytes(b:getBytes(0, size) .. "\n")
    end
  end
  if method == "HEAD" then  -- (a HEAD has no body: hd and dm are still in scope)
    dm:set("edge", "head", "1")
    hd:replace(":method", "GET")
    hd:replace("x-edge-head", "1")
  end
end

function envoy_on_response(h)
  local meta = h:streamInfo():dynamicMetadata():get("edge") or {}
  if meta["grpc"] == "1" or meta["answered"] == "1" then return end
  local family = meta["family"]
  local hd = h:headers()
  -- an answer to a request this filter never saw (refused before it: edge authorization, header limits)
  -- is already in its final shape, but for Envoy's own 413 of the body gathering (edge.gather in
  -- envoy.yaml), shaped here for the family family.lua noted
  if family == nil then
    family = meta["early"]
    if family == nil or hd:get(":status") ~= "413" then return end
  end
  local want = hd:get("x-http-status")
  local errbody = hd:get("x-error-body")
  hd:remove("x-http-status")
  hd:remove("x-error-body")
  -- the exact length of a streamed answer, which the transcoder does not pass on as content-length
  -- (polyphony.rpc.http.send_http); a unary answer's content-length is the transcoder's own
  local length = hd:get("x-http-content-length")
  hd:remove("x-http-content-length")
  if length ~= nil and string.match(length, "^%d+$") and hd:get("content-length") == nil then
    hd:remove("transfer-encoding")
    hd:replace("content-length", length)
  end
  for _, k in ipairs({"grpc-status", "grpc-message", "grpc-accept-encoding", "grpc-status-details-bin"}) do
    hd:remove(k)
  end
  if want ~= nil and want ~= "" then hd:replace(":status", want) end
  local status = tonumber(hd:get(":status")) or 200
  local ct = hd:get("content-type") or ""
  local json = string.sub(ct, 1, 16) == "application/json"
  if json and content_type_of(family) ~= "application/json" then hd:replace("content-type", content_type_of(family)) end
  local head = meta["head"] == "1"
  local b = nil
  if status == 204 or status == 304 then
    hd:remove("content-type")
    b = h:body(true)
    if b ~= nil then b:setBytes("") end
  elseif errbody ~= nil then
    hd:replace("content-type", content_type_of(family))
    b = h:body(true)
    b:setBytes(errbody)
  elseif status >= 400 and (string.sub(ct, 1, 10) == "text/plain" or json or ct == "") then
    -- the transcoder's own answers (bad JSON, bad number, unknown route) or a bare gRPC status
    hd:replace("content-type", content_type_of(family))
    b = h:body(true)
    local txt = ""
    if b ~= nil then txt = b:getBytes(0, b:length()) end
    local msg = string.match(txt, '"message":"(.-)","details"') or string.match(txt, '"message":"(.-)"')
    if msg == nil or msg == "" then msg = txt end
    if msg == "" then msg = PHRASES[status] or "error" end
    if b ~= nil then b:setBytes(error_body(family, status, msg)) end
  end
  -- HEAD answers what GET answers (status, content type, length...), without the body. The length GET
  -- would send is the content-length as it stands here: the transcoder's for a unary answer, the server's
  -- for a streamed one (a servicer sends a HEAD no bytes, only the headers GET would have: see
  -- polyphony.rpc.http.is_head), or what an error branch above set. setBytes("") below rewrites
  -- content-length to 0, so it is put back afterwards; a streamed answer of unknown length keeps none.
  -- Buffering here costs nothing for streamed answers: their servicers send a HEAD no bytes.
  if head then
    local declared = h:headers():get("content-length")
    if b == nil then b = h:body(true) end
    if b ~= nil then
      local got = b:length()
      b:setBytes("")
      local out = h:headers()
      if declared ~= nil then
        out:replace("content-length", declared)
      elseif got > 0 then
        out:replace("content-length", tostring(got))
      else
        out:remove("content-length")
      end
    end
  end
end
