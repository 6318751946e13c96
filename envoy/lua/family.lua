-- Polyphony edge family tag. Runs first, before the edge's authorization and body gathering: it notes the
-- route family of a request, so that an answer Envoy itself gives before the shape filter (shape.lua) has
-- seen the request (the 413 of the body gathering) is still put in the API's error shape by it.
-- Rendered by polyphony.edge.envoy_config from the service registry, like shape.lua.

local FAMILIES = { __FAMILIES__ }
local GENERIC = "__GENERIC__"

function envoy_on_request(h)
  local path = string.match(h:headers():get(":path") or "/", "^[^?]*")
  local family = GENERIC
  for _, rule in ipairs(FAMILIES) do
    local prefix = rule[1]
    if path == prefix or string.sub(path, 1, #prefix + 1) == prefix .. "/" then
      family = rule[2]
      break
    end
  end
  h:streamInfo():dynamicMetadata():set("edge", "early", family)
end

function envoy_on_response(h)
end
