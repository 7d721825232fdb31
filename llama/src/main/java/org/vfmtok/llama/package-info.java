/** LlamaGen-style AR models with 2D RoPE, KV-cache sampling and CFG (issue: AR models). */
package org.vfmtok.llama;
