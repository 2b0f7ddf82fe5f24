/* getaddrinfo(3) once, as an application would call it, for the libc harness.
 *
 * usage: gai inet|inet6|unspec NAME
 * prints one line: "OK <address> <address> ..." (each address once, in the
 * order getaddrinfo returned them) or the EAI_* name of the error.
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

static const char *eai_name(int code)
{
    switch (code) {
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_FAMILY: return "EAI_FAMILY";
    case EAI_SERVICE: return "EAI_SERVICE";
    case EAI_MEMORY: return "EAI_MEMORY";
    case EAI_SYSTEM: return "EAI_SYSTEM";
#ifdef EAI_NODATA
    case EAI_NODATA: return "EAI_NODATA";
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
#endif
    default: return "EAI_OTHER";
    }
}

int main(int argc, char **argv)
{
    struct addrinfo hints, *res, *ai;
    char seen[64][INET6_ADDRSTRLEN];
    int nseen = 0;
    int code;

    if (argc != 3) {
        fprintf(stderr, "usage: gai inet|inet6|unspec NAME\n");
        return 2;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = !strcmp(argv[1], "inet") ? AF_INET
                    : !strcmp(argv[1], "inet6") ? AF_INET6 : AF_UNSPEC;
    /* one socket type, so each address comes back once */
    hints.ai_socktype = SOCK_STREAM;
    code = getaddrinfo(argv[2], NULL, &hints, &res);
    if (code != 0) {
        printf("%s\n", eai_name(code));
        return 0;
    }
    printf("OK");
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        char text[INET6_ADDRSTRLEN];
        const void *where = ai->ai_family == AF_INET
            ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
            : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
        int i;
        inet_ntop(ai->ai_family, where, text, sizeof text);
        for (i = 0; i < nseen && strcmp(seen[i], text); i++)
            ;
        if (i == nseen && nseen < 64) {
            strcpy(seen[nseen++], text);
            printf(" %s", text);
        }
    }
    printf("\n");
    freeaddrinfo(res);
    return 0;
}
