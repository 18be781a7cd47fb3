"""The privacy area's pure rules: the access log's hash chain, who may see the access
log and handle requests of persons concerned."""
