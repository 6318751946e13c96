"""Open Theater: provisioning (projectList.json, fileList.json, assets) and cues over gRPC and socket.io."""
