#!/usr/bin/env python3
"""Writes the Anthropic and Gemini mappings of the agent story from the OpenAI ones in
../wiremock/mappings: the same six exchanges, in each provider's documented request and response
shape (Anthropic Messages API tool_use/tool_result; Gemini generateContent functionCall/
functionResponse). Run it again after changing the OpenAI story."""
import json, pathlib

here = pathlib.Path(__file__).parent
source = here.parent / "wiremock" / "mappings"
FORK = "This conversation was forked"
HINT = "[Baton permission-loss hint]"

# what tells each request apart, in words every provider's body carries
MATCH = {
    "01": [("last", "contains", "revenue per quarter"), ("system", "doesNotContain", FORK)],
    "02": [("last", "contains", "revenue_by_quarter"), ("last", "doesNotContain", HINT)],
    "03": [("last", "contains", "gross margins"), ("system", "doesNotContain", FORK)],
    "04": [("last", "contains", "78.2"), ("last", "doesNotContain", HINT)],
    "05": [("last", "contains", "Software margin"), ("system", "contains", FORK)],
    "06": [("last", "contains", "permission denied"), ("last", "contains", HINT)],
}

def patterns(provider, key):
    paths = {"anthropic": {"last": "$.messages[-1]", "system": "$.system"},
             "gemini": {"last": "$.contents[-1]", "system": "$.systemInstruction"}}[provider]
    out = []
    for where, op, text in MATCH[key]:
        out.append({"matchesJsonPath": {"expression": paths[where], op: text.replace("\\\"", "\"")}})
    return out

def anthropic(message):
    content = []
    if message.get("content"):
        content.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or []:
        content.append({"type": "tool_use", "id": call["id"], "name": call["function"]["name"],
                        "input": json.loads(call["function"]["arguments"])})
    return {"id": "msg_story", "type": "message", "role": "assistant", "model": "baton-demo",
            "content": content, "stop_reason": "tool_use" if message.get("tool_calls") else "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": 100, "output_tokens": 20}}

def gemini(message):
    parts = []
    if message.get("content"):
        parts.append({"text": message["content"]})
    for call in message.get("tool_calls") or []:
        parts.append({"functionCall": {"name": call["function"]["name"],
                                       "args": json.loads(call["function"]["arguments"])}})
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 20, "totalTokenCount": 120},
            "modelVersion": "baton-demo"}

for provider, url, shape in [("anthropic", "/v1/messages", anthropic),
                             ("gemini", "/v1beta/models/baton-demo:generateContent", gemini)]:
    out = here / provider / "mappings"
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted(source.glob("*.json")):
        m = json.loads(f.read_text())
        key = f.name[:2]
        message = m["response"]["jsonBody"]["choices"][0]["message"]
        mapping = {"name": m["name"],
                   "request": {"method": "POST", "urlPath": url, "bodyPatterns": patterns(provider, key)},
                   "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                                "jsonBody": shape(message)}}
        (out / f.name).write_text(json.dumps(mapping, indent=2, ensure_ascii=False) + "\n")
