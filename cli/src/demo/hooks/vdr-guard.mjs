#!/usr/bin/env node
// The demo vessels' ship-systems hook (see vessel/src/handoff/hook.ts): it gets the proposed state as JSON on stdin
// and refuses any state that switches off the voyage data recorder feed (VDRD), which must keep recording
// (SOLAS V/20). The vessel then acks `rejected` with ERR_HOOK_REJECTED, signs this message (its first line on
// stderr) into the ack's reason_text for the pilot to read, and keeps its state.
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  let state;
  try {
    state = JSON.parse(input);
  } catch {
    process.stderr.write('hook input is not JSON');
    process.exit(2);
  }
  const wasOn = Array.isArray(state.previous?.on) && state.previous.on.includes('239.192.0.5:60005');
  const staysOn = Array.isArray(state.on) && state.on.includes('239.192.0.5:60005');
  if (wasOn && !staysOn) {
    process.stderr.write('the voyage data recorder feed (VDRD) must stay on');
    process.exit(1);
  }
  process.exit(0);
});
