-- wrk script: each request asks for PREFIX .. id with an id drawn at random from
-- the file IDS (one per line), so that the load spreads over many households
-- instead of hammering one hot row.
--   IDS=ids.txt PREFIX=/dossier/ wrk -s spread.lua ...
local ids = {}
local prefix = os.getenv("PREFIX") or "/dossier/"

function init(args)
  for line in io.lines(os.getenv("IDS")) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring(ids):match("0x(%x+)") or "1", 16) % 100000)
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
