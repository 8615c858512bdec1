/** Reads a user-chosen file as text (PEM). */
export async function readFileText(file: Blob): Promise<string> {
  return file.text();
}

/** Reads a user-chosen file as base64 (PKCS#12). */
export async function readFileBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
