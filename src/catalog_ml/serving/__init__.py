"""Online serving of what a green build published: a Redis store and a read API.

- `redis_server`: find (or install with apt-get) redis-server, start and stop one on a
  local port (`make serve`, the tests);
- `store`: load the serving DuckDB file into Redis under a new version namespace in one
  pipelined load, switch `current_version` atomically, delete old versions; read one
  version consistently (a Lua script reads the pointer and the key together);
- `schemas`: the API's pydantic responses;
- `impressions`: the served lists as impression events in the raw contract's events shape,
  appended to the events CSV the next files-mode build reads;
- `api`: the FastAPI application; `fast_path`: canonical recommendation requests without
  FastAPI's routing; `server`: uvicorn with its workers (`python -m catalog_ml.serving.server`).

README "Serving online" says how to run it.
"""
