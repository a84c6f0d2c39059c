#!/bin/sh
# The image's entry point outside SAM, as in the official image: `docker run <image> post-authentication.handler`
# needs an emulator (AWS_LAMBDA_RUNTIME_API); SAM replaces this entry point with its own aws-lambda-rie.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" >&2
  exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  echo "AWS_LAMBDA_RUNTIME_API is not set: run this image through sam local (it adds the emulator)" >&2
  exit 1
fi
exec /var/runtime/bootstrap
