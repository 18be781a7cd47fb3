"""The privacy area: the access log views, requests of persons concerned, the access
export, restriction, erasure and the retention proof (issue 22)."""
